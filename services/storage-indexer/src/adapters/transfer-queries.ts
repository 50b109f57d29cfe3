import type Database from 'better-sqlite3';
import type { TransferFilter } from './http/params.js';
import type { TransferDoc } from '../domain/transfers.js';
import { pageOf, type Page } from './pagination.js';
import { rowToTransfer, type TransferRow } from './rows.js';

export interface SqlFilter {
  readonly where: string[];
  readonly params: Record<string, unknown>;
}

/** The WHERE clause of every transfer query (list, export, aggregates): one meaning per filter. */
export function transferWhere(filter: TransferFilter): SqlFilter {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (clause: string, values: Record<string, unknown>) => {
    where.push(clause);
    Object.assign(params, values);
  };
  if (filter.user !== undefined) add('username = @user', { user: filter.user });
  if (filter.from !== undefined) add('started_at >= @from', { from: filter.from });
  if (filter.to !== undefined) add('started_at < @to', { to: filter.to });
  if (filter.direction !== undefined) add('direction = @direction', { direction: filter.direction });
  if (filter.status !== undefined) add('status = @status', { status: filter.status });
  if (filter.gateway !== undefined) add('gateway = @gateway', { gateway: filter.gateway });
  if (filter.pathPrefix !== undefined) add('substr(path, 1, length(@pathPrefix)) = @pathPrefix', { pathPrefix: filter.pathPrefix });
  if (filter.client !== undefined) add('client_ip_key BETWEEN @clientFirst AND @clientLast', { clientFirst: filter.client.first, clientLast: filter.client.last });
  if (filter.minBytes !== undefined) add('bytes >= @minBytes', { minBytes: filter.minBytes });
  if (filter.maxBytes !== undefined) add('bytes <= @maxBytes', { maxBytes: filter.maxBytes });
  return { where, params };
}

export function listTransfers(db: Database.Database, filter: TransferFilter, page: { limit?: number | undefined; cursor?: string | undefined; order?: 'asc' | 'desc' | undefined }): Page<TransferDoc> {
  const { where, params } = transferWhere(filter);
  return pageOf<TransferRow & Record<string, unknown>, TransferDoc>(
    db,
    { from: 'transfers', keys: ['started_at', 'transfer_id'], where, params, order: page.order ?? 'desc', limit: page.limit ?? 100, cursor: page.cursor },
    rowToTransfer,
  );
}

export function getTransfer(db: Database.Database, transferId: string): TransferDoc | undefined {
  const row = db.prepare<[string], TransferRow>('SELECT * FROM transfers WHERE transfer_id = ?').get(transferId);
  return row === undefined ? undefined : rowToTransfer(row);
}

export const TRANSFER_COLUMNS = [
  'transferId',
  'sessionId',
  'username',
  'clientIp',
  'gateway',
  'protocol',
  'mode',
  'direction',
  'path',
  'offset',
  'startedAt',
  'status',
  'bytes',
  'durationMs',
  'endedAt',
  'partial',
  'errorCode',
  'errorMessage',
  'fileSize',
] as const satisfies readonly (keyof TransferDoc)[];

/** An epoch-ms column as ISO-8601 with milliseconds, formatted by SQLite (as `Date#toISOString` would). */
const isoSql = (column: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${column} / 1000.0, 'unixepoch')`;
const booleanSql = (column: string) => `CASE ${column} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END`;

/** The SQL behind each export column: the same names, order and JSON types as TransferDoc. */
const EXPORT_SQL: Record<keyof TransferDoc, string> = {
  transferId: 'transfer_id',
  sessionId: 'session_id',
  username: 'username',
  clientIp: 'client_ip',
  gateway: 'gateway',
  protocol: 'protocol',
  mode: 'mode',
  direction: 'direction',
  path: 'path',
  offset: '"offset"',
  startedAt: isoSql('started_at'),
  status: 'status',
  bytes: 'bytes',
  durationMs: 'duration_ms',
  endedAt: isoSql('ended_at'),
  partial: booleanSql('partial'),
  errorCode: 'error_code',
  errorMessage: 'error_message',
  fileSize: 'file_size',
  lastEventId: 'last_event_id',
};

function exportSql(select: string, filter: TransferFilter): { sql: string; params: Record<string, unknown> } {
  const { where, params } = transferWhere(filter);
  return { sql: `SELECT ${select} FROM transfers ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at, transfer_id`, params };
}

/**
 * Every matching transfer as one line of JSON (a TransferDoc), oldest first, read lazily
 * from `db` (open a dedicated read connection). SQLite writes the JSON: three times
 * faster than building an object per row and JSON.stringify-ing it.
 */
export function* iterateTransferJson(db: Database.Database, filter: TransferFilter): Generator<string> {
  const fields = Object.entries(EXPORT_SQL).map(([name, sql]) => `'${name}', ${sql}`);
  const { sql, params } = exportSql(`json_object(${fields.join(', ')})`, filter);
  yield* db.prepare<[Record<string, unknown>], string>(sql).pluck().iterate(params);
}

export type TransferCells = (string | number | null)[];

/** Columns whose values are free text (the others are numbers, times and enums, never quoted or defused). */
const FREE_TEXT = new Set<keyof TransferDoc>(['transferId', 'sessionId', 'username', 'clientIp', 'gateway', 'path', 'errorCode', 'errorMessage']);
const CSV_SPECIAL = `'*[",' || char(10, 13) || ']*'`;
/** Code points of a formula-like first character (=, +, -, @, TAB, CR): see csvField. */
const FORMULA_STARTS = '61, 43, 45, 64, 9, 13';

/** Starts the text of a row that SQLite could not write as a CSV line; a written line never starts with it (see FORMULA_STARTS). */
export const CSV_CELLS_MARK = '=';

/**
 * Every matching transfer for the CSV export, oldest first: the whole CSV line when SQLite can
 * write it (no cell needs quotes or a formula guard: nearly every row), else CSV_CELLS_MARK and
 * the cells in TRANSFER_COLUMNS order as a JSON array, for csvLine. Writing the common line in
 * SQL saves a JS value per cell (about twice as fast).
 */
export function iterateTransferCsv(db: Database.Database, filter: TransferFilter): IterableIterator<string> {
  const cells = TRANSFER_COLUMNS.map((name) => (name === 'partial' ? "CASE partial WHEN 1 THEN 'true' WHEN 0 THEN 'false' END" : EXPORT_SQL[name]));
  const text = TRANSFER_COLUMNS.filter((name) => FREE_TEXT.has(name)).map((name) => EXPORT_SQL[name]);
  // One GLOB over all free text at once (a GLOB per cell costs more than the rest of the line), then each first character.
  const plain = [`${text.map((cell) => `coalesce(${cell}, '')`).join(' || ')} NOT GLOB ${CSV_SPECIAL}`, ...text.map((cell) => `coalesce(unicode(${cell}), 0) NOT IN (${FORMULA_STARTS})`)].join(' AND ');
  const line = `${cells.map((cell) => `coalesce(${cell}, '')`).join(" || ',' || ")} || char(13, 10)`;
  const { sql, params } = exportSql(`CASE WHEN ${plain} THEN ${line} ELSE '${CSV_CELLS_MARK}' || json_array(${cells.join(', ')}) END`, filter);
  return db.prepare<[Record<string, unknown>], string>(sql).pluck().iterate(params);
}
