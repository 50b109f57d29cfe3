import { TransferCompleted, TransferFailed, TransferStarted, type TransferEvent } from '@ferry/contracts';
import { benchRows, type BenchRow } from './rows.js';

/**
 * Realistic transfer events built from the benchmark rows (rows.ts): what the gateway
 * publishes for each transfer. `pairs` yields a started event and its end (completed, or
 * failed with a partial upload), `ends` only the end events: an end carries every field
 * of its start, so each one makes a full transfer row.
 *
 * The objects are built directly (not with createEvent) so that ten million of them cost
 * seconds, not minutes; every VALIDATE_EVERY-th event is checked against its contract
 * schema, so the generator cannot drift from what the producers publish.
 */
const VALIDATE_EVERY = 10_000;
const SOURCE = 'ftp-gateway/bench';

/** A UUIDv7-shaped id (time-ordered, like newEventId), unique per row and kind, and the same on every run. */
function eventId(atMs: number, index: number, kind: 0 | 1): string {
  const time = atMs.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7000-800${kind}-${index.toString(16).padStart(12, '0')}`;
}

function eventsOf(row: BenchRow, index: number, withStart: boolean): TransferEvent[] {
  const startedAtMs = row.endedAtMs - row.durationMs;
  const start = {
    sessionId: `s-${row.username}`,
    username: row.username,
    clientIp: row.clientIp,
    gateway: row.gateway,
    transferId: row.transferId,
    protocol: 'ftps' as const,
    mode: 'passive' as const,
    direction: row.direction,
    path: row.path,
    offset: 0,
    startedAt: new Date(startedAtMs).toISOString(),
  };
  const end = { ...start, bytes: row.bytes, durationMs: row.durationMs, endedAt: new Date(row.endedAtMs).toISOString() };
  const envelope = (atMs: number, kind: 0 | 1) => ({ specversion: '1.0' as const, id: eventId(atMs, index, kind), source: SOURCE, time: new Date(atMs).toISOString() });
  const ended: TransferEvent =
    row.status === 'failed'
      ? { ...envelope(row.endedAtMs, 1), type: 'ferry.transfer.failed.v1', data: { ...end, status: 'failed', partial: true, error: { code: 'ECONNRESET', message: 'connection reset by peer' } } }
      : { ...envelope(row.endedAtMs, 1), type: 'ferry.transfer.completed.v1', data: { ...end, status: 'completed', ...(row.direction === 'upload' ? { fileSize: row.bytes } : {}) } };
  if (!withStart) return [ended];
  return [{ ...envelope(startedAtMs, 0), type: 'ferry.transfer.started.v1', data: start }, ended];
}

const schemaOf = { 'ferry.transfer.started.v1': TransferStarted, 'ferry.transfer.completed.v1': TransferCompleted, 'ferry.transfer.failed.v1': TransferFailed } as const;

function validate(event: TransferEvent): void {
  if (event.type === 'ferry.transfer.aborted.v1') return;
  const parsed = schemaOf[event.type].schema.safeParse(event);
  if (!parsed.success) throw new Error(`the generator made an invalid ${event.type}: ${parsed.error.message}`);
}

/** Events for `transfers` transfers of `users` users (200: the skew of rows.ts), in stream order. */
export function* transferEvents(transfers: number, options: { shape: 'pairs' | 'ends'; users?: number }): Generator<TransferEvent> {
  let index = 0;
  let made = 0;
  for (const row of benchRows(transfers, options.users ?? 200)) {
    for (const event of eventsOf(row, index, options.shape === 'pairs')) {
      if (made++ % VALIDATE_EVERY === 0) validate(event);
      yield event;
    }
    index += 1;
  }
}
