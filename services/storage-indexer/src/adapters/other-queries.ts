import type Database from 'better-sqlite3';
import type { CatalogEntry } from '../domain/catalog.js';
import type { LoginDoc } from '../domain/logins.js';
import type { SessionDoc } from '../domain/sessions.js';
import { pageOf, type Page } from './pagination.js';
import { iso, rowToFile, rowToSession, type FileRow, type SessionRow } from './rows.js';

type Range = { first: string; last: string };
interface PageRequest {
  limit?: number | undefined;
  cursor?: string | undefined;
  order?: 'asc' | 'desc' | undefined;
}

function clauses(filters: [string, Record<string, unknown>, boolean][]): { where: string[]; params: Record<string, unknown> } {
  const active = filters.filter(([, , on]) => on);
  return { where: active.map(([clause]) => clause), params: Object.assign({}, ...active.map(([, values]) => values)) as Record<string, unknown> };
}

/** The file catalog, by user then path; `prefix` is a string prefix of the path. */
export function listFiles(db: Database.Database, query: { prefix?: string | undefined; user?: string | undefined } & PageRequest): Page<CatalogEntry> {
  const { where, params } = clauses([
    ['substr(path, 1, length(@prefix)) = @prefix', { prefix: query.prefix }, query.prefix !== undefined],
    ['username = @user', { user: query.user }, query.user !== undefined],
  ]);
  return pageOf<FileRow & Record<string, unknown>, CatalogEntry>(
    db,
    { from: 'files', keys: ['username', 'path'], where, params, order: query.order ?? 'asc', limit: query.limit ?? 100, cursor: query.cursor },
    rowToFile,
  );
}

export interface PathEvent {
  readonly streamSequence: number;
  readonly eventId: string;
  readonly type: string;
  readonly at: string;
  readonly username: string;
  readonly path: string;
  readonly detail: Record<string, unknown>;
}

interface PathEventRow {
  username: string;
  path: string;
  stream_seq: number;
  event_id: string;
  type: string;
  at: number;
  detail: string;
}

/** Every event that named `path` (transfers, mkdir/rmdir/delete, either side of a rename), in stream order. */
export function pathHistory(db: Database.Database, query: { path: string; user?: string | undefined } & PageRequest): Page<PathEvent> {
  const { where, params } = clauses([
    ['path = @path', { path: query.path }, true],
    ['username = @user', { user: query.user }, query.user !== undefined],
  ]);
  return pageOf<PathEventRow & Record<string, unknown>, PathEvent>(
    db,
    { from: 'path_events', keys: ['stream_seq', 'username'], where, params, order: query.order ?? 'asc', limit: query.limit ?? 100, cursor: query.cursor },
    (row) => ({ streamSequence: row.stream_seq, eventId: row.event_id, type: row.type, at: iso(row.at), username: row.username, path: row.path, detail: JSON.parse(row.detail) as Record<string, unknown> }),
  );
}

export interface TimeFilter {
  user?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  gateway?: string | undefined;
  client?: Range | undefined;
}

function timeFilters(query: TimeFilter, timeColumn: string): [string, Record<string, unknown>, boolean][] {
  return [
    ['username = @user', { user: query.user }, query.user !== undefined],
    [`${timeColumn} >= @from`, { from: query.from }, query.from !== undefined],
    [`${timeColumn} < @to`, { to: query.to }, query.to !== undefined],
    ['gateway = @gateway', { gateway: query.gateway }, query.gateway !== undefined],
    ['client_ip_key BETWEEN @clientFirst AND @clientLast', { clientFirst: query.client?.first, clientLast: query.client?.last }, query.client !== undefined],
  ];
}

/** Sessions by open time (or first-seen time when the open was never seen). */
export function listSessions(db: Database.Database, query: TimeFilter & { status?: string | undefined } & PageRequest): Page<SessionDoc> {
  const { where, params } = clauses([...timeFilters(query, 'sort_at'), ['status = @status', { status: query.status }, query.status !== undefined]]);
  return pageOf<SessionRow & Record<string, unknown>, SessionDoc>(
    db,
    { from: 'sessions', keys: ['sort_at', 'session_id'], where, params, order: query.order ?? 'desc', limit: query.limit ?? 100, cursor: query.cursor },
    rowToSession,
  );
}

interface LoginRow {
  event_id: string;
  at: number;
  username: string;
  client_ip: string;
  gateway: string;
  session_id: string;
  outcome: 'succeeded' | 'failed';
  reason: string | null;
  cached: number | null;
}

/** Login attempts, successful and failed, by time. */
export function listLogins(db: Database.Database, query: TimeFilter & { outcome?: string | undefined } & PageRequest): Page<LoginDoc> {
  const { where, params } = clauses([...timeFilters(query, 'at'), ['outcome = @outcome', { outcome: query.outcome }, query.outcome !== undefined]]);
  return pageOf<LoginRow & Record<string, unknown>, LoginDoc>(
    db,
    { from: 'logins', keys: ['at', 'event_id'], where, params, order: query.order ?? 'desc', limit: query.limit ?? 100, cursor: query.cursor },
    (row) => ({
      eventId: row.event_id,
      at: iso(row.at),
      username: row.username,
      clientIp: row.client_ip,
      gateway: row.gateway,
      sessionId: row.session_id,
      outcome: row.outcome,
      reason: row.reason,
      cached: row.cached === null ? null : row.cached === 1,
    }),
  );
}
