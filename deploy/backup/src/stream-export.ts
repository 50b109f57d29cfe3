import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { Bus } from '@ferry/bus';

/** One stored message, as one NDJSON line of a stream's backup file. */
export interface ExportedMessage {
  readonly seq: number;
  readonly subject: string;
  readonly time: string;
  readonly headers: Record<string, string[]>;
  /** base64, so any payload (even an invalid one, kept for forensics) round-trips. */
  readonly data: string;
}

function headersOf(msg: JsMsg): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, values] of msg.headers ?? []) out[key] = values;
  return out;
}

/**
 * Writes every message of a stream, in order, to an NDJSON file through an
 * ordered consumer (no state left on the server). Returns how many were written.
 */
export async function exportStream(bus: Bus, stream: string, path: string): Promise<number> {
  const info = await bus.jsm.streams.info(stream);
  const out = createWriteStream(path);
  let written = 0;
  if (info.state.messages > 0) {
    const consumer = await bus.js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume();
    for await (const msg of messages) {
      const line: ExportedMessage = { seq: msg.seq, subject: msg.subject, time: msg.time.toISOString(), headers: headersOf(msg), data: Buffer.from(msg.data).toString('base64') };
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
      written += 1;
      if (msg.info.pending === 0 || msg.seq >= info.state.last_seq) break;
    }
    messages.stop();
  }
  out.end();
  await once(out, 'finish');
  return written;
}

/** Re-publishes a stream's NDJSON backup in order, keeping each message's headers (and so its Nats-Msg-Id). */
export async function importStream(bus: Bus, path: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let published = 0;
  const inFlight: Array<Promise<unknown>> = [];
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const message = JSON.parse(line) as ExportedMessage;
    const headers: MsgHdrs = natsHeaders();
    const msgID = message.headers['Nats-Msg-Id']?.[0];
    for (const [key, values] of Object.entries(message.headers)) {
      if (key !== 'Nats-Msg-Id') for (const value of values) headers.append(key, value);
    }
    inFlight.push(bus.js.publish(message.subject, Buffer.from(message.data, 'base64'), { headers, ...(msgID ? { msgID } : {}), timeout: 10_000 }));
    published += 1;
    if (inFlight.length >= 256) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  return published;
}
