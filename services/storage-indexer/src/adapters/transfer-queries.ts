import type Database from 'better-sqlite3';
import type { TransferFilter } from './http/params.js';
import type { TransferDoc } from '../domain/transfers.js';
import { pageOf, type Page } from './pagination.js';
import { iso, rowToTransfer, type TransferRow } from './rows.js';

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

/** Every matching transfer, oldest first, read lazily from `db` (open a dedicated read connection). */
export function* iterateTransfers(db: Database.Database, filter: TransferFilter): Generator<TransferDoc> {
  const { where, params } = transferWhere(filter);
  const sql = `SELECT * FROM transfers ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at, transfer_id`;
  for (const row of db.prepare<[Record<string, unknown>], TransferRow>(sql).iterate(params)) yield rowToTransfer(row);
}

/** The SQL columns behind TRANSFER_COLUMNS, in the same order. */
const RAW_COLUMNS = [
  'transfer_id', 'session_id', 'username', 'client_ip', 'gateway', 'protocol', 'mode', 'direction', 'path', '"offset"', 'started_at', 'status',
  'bytes', 'duration_ms', 'ended_at', 'partial', 'error_code', 'error_message', 'file_size',
] as const;
const STARTED_AT = RAW_COLUMNS.indexOf('started_at');
const ENDED_AT = RAW_COLUMNS.indexOf('ended_at');
const PARTIAL = RAW_COLUMNS.indexOf('partial');

export type TransferCells = (string | number | boolean | null)[];

/** Every matching transfer as cells in TRANSFER_COLUMNS order, oldest first, without building objects (CSV export). */
export function* iterateTransferCells(db: Database.Database, filter: TransferFilter): Generator<TransferCells> {
  const { where, params } = transferWhere(filter);
  const sql = `SELECT ${RAW_COLUMNS.join(', ')} FROM transfers ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at, transfer_id`;
  for (const cells of db.prepare<[Record<string, unknown>], TransferCells>(sql).raw().iterate(params)) {
    cells[STARTED_AT] = iso(cells[STARTED_AT] as number);
    if (cells[ENDED_AT] !== null) cells[ENDED_AT] = iso(cells[ENDED_AT] as number);
    if (cells[PARTIAL] !== null) cells[PARTIAL] = cells[PARTIAL] === 1;
    yield cells;
  }
}
