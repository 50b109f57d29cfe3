import { Readable } from 'node:stream';
import { CSV_CELLS_MARK, TRANSFER_COLUMNS, type TransferCells } from '../transfer-queries.js';

/** Bytes of text per chunk written to the response: few large writes instead of one per row. */
const CHUNK_CHARS = 128 * 1024;

/** A text cell that needs more than being written as is: a formula start, or a character that needs quotes. */
const NEEDS_CARE = /^[=+\-@\t\r]|[",\r\n]/;

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; formula-leading cells are prefixed with ' for spreadsheets. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  if (!NEEDS_CARE.test(value)) return value;
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += i === 0 ? csvField(values[i]) : `,${csvField(values[i])}`;
  return `${line}\r\n`;
}

const csvText = (row: string) => (row.startsWith(CSV_CELLS_MARK) ? csvLine(JSON.parse(row.slice(CSV_CELLS_MARK.length)) as TransferCells) : row);

/** NDJSON lines from JSON texts, or CSV lines from iterateTransferCsv, joined into chunks of about CHUNK_CHARS. */
function* chunks(rows: Iterable<string>, format: 'ndjson' | 'csv'): Generator<string> {
  let chunk = format === 'csv' ? csvLine(TRANSFER_COLUMNS) : '';
  for (const row of rows) {
    chunk += format === 'csv' ? csvText(row) : `${row}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * A stream of rows in `format` (JSON texts for NDJSON, rows of iterateTransferCsv for CSV),
 * pulled from `rows` only as fast as the client reads (Readable.from respects backpressure),
 * so memory stays constant for any number of rows. `done` runs when the stream ends, fails or is destroyed.
 */
export function exportStream(rows: Iterable<string>, format: 'ndjson' | 'csv', done: () => void): Readable {
  const stream = Readable.from(chunks(rows, format), { objectMode: false });
  stream.once('close', done);
  return stream;
}
