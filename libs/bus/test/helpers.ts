import { createEvent, FileDeleted, TransferCompleted, type FerryEvent } from '@ferry/contracts';
import { exampleDataFor } from '@ferry/contracts/testing';

export const source = 'ftp-gateway/gw-test';

export function transferCompleted(index: number): FerryEvent {
  return createEvent(TransferCompleted, { ...exampleDataFor(TransferCompleted), path: `/upload-${index}.bin`, bytes: index }, { source });
}

export function fileDeleted(index: number): FerryEvent {
  return createEvent(FileDeleted, { ...exampleDataFor(FileDeleted), path: `/gone-${index}` }, { source });
}

/** Polls until the predicate holds; fails with the last observed value. */
export async function eventually<T>(read: () => T | Promise<T>, predicate: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!predicate(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}
