import { Readable } from 'node:stream';
import type { TransferDoc } from '../../domain/transfers.js';
import { TRANSFER_COLUMNS, type TransferCells } from '../transfer-queries.js';

const ROWS_PER_CHUNK = 500;

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; formula-leading cells are prefixed with ' for spreadsheets. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (values: readonly (string | number | boolean | null | undefined)[]) => `${values.map(csvField).join(',')}\r\n`;

function* lines(rows: Iterable<TransferDoc> | Iterable<TransferCells>, format: 'ndjson' | 'csv'): Generator<string> {
  let chunk: string[] = format === 'csv' ? [csvLine(TRANSFER_COLUMNS)] : [];
  for (const row of rows) {
    chunk.push(Array.isArray(row) ? csvLine(row) : `${JSON.stringify(row)}\n`);
    if (chunk.length >= ROWS_PER_CHUNK) {
      yield chunk.join('');
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('');
}

/**
 * A stream of rows in `format` (objects for NDJSON, cells in TRANSFER_COLUMNS order for CSV), pulled from `rows` only as fast as the client
 * reads (Readable.from respects backpressure), so memory stays constant for any
 * number of rows. `done` runs when the stream ends, fails or is destroyed.
 */
export function exportStream(rows: Iterable<TransferDoc> | Iterable<TransferCells>, format: 'ndjson' | 'csv', done: () => void): Readable {
  const stream = Readable.from(lines(rows, format), { objectMode: false });
  stream.once('close', done);
  return stream;
}
