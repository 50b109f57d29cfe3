import type Database from 'better-sqlite3';
import type { TransferFilter } from './http/params.js';
import { transferWhere } from './transfer-queries.js';

export type GroupBy = 'user' | 'day' | 'hour' | 'gateway' | 'direction' | 'status';

/**
 * How rows are grouped (`by`: a column or an integer, cheap to compare) and the key shown for a
 * group (`key`, computed once per group by SQLite, not per row: formatting a time per row made a
 * year of one user's rollup several times slower). Days and hours sort the same as their keys.
 */
const GROUPS: Record<GroupBy, { by: string; key: string }> = {
  user: { by: 'username', key: 'username' },
  day: { by: 'started_at / 86400000', key: "strftime('%Y-%m-%d', started_at / 1000, 'unixepoch')" },
  hour: { by: 'started_at / 3600000', key: "strftime('%Y-%m-%dT%H:00:00Z', started_at / 1000, 'unixepoch')" },
  gateway: { by: 'gateway', key: 'gateway' },
  direction: { by: 'direction', key: 'direction' },
  status: { by: 'status', key: 'status' },
};

/** Key and GROUP BY clause of `groupBy`, on `timeColumn` (started_at in transfers, hour in the rollup). */
function grouping(groupBy: GroupBy | undefined, timeColumn: string): { key: string; group: string } {
  if (groupBy === undefined) return { key: 'NULL', group: '' };
  const { by, key } = GROUPS[groupBy];
  const on = (sql: string) => sql.replace('started_at', timeColumn);
  return { key: on(key), group: `GROUP BY ${on(by)} ORDER BY ${on(by)}` };
}

export interface TransferStats {
  readonly key: string | null;
  readonly transfers: number;
  readonly bytes: number;
  readonly completed: number;
  readonly failed: number;
  readonly aborted: number;
  /** failed / (completed + failed + aborted); null when there is none. */
  readonly failureRate: number | null;
  readonly durationMs: number;
}

/** Aggregates count only ended transfers unless the filter asks for a status. */
function endedWhere(filter: TransferFilter) {
  const sql = transferWhere(filter);
  if (filter.status === undefined) sql.where.push("status <> 'started'");
  return sql;
}

const whereSql = (where: readonly string[]) => (where.length > 0 ? `WHERE ${where.join(' AND ')}` : '');

const HOUR_MS = 3_600_000;
const ROLLUP_FILTERS = new Set(['user', 'gateway', 'direction', 'status', 'from', 'to']);

/**
 * The hourly rollup answers when every filter is one of its dimensions and the time
 * range falls on hour boundaries: thousands of rows for a year instead of millions.
 */
function rollupAnswers(filter: TransferFilter): boolean {
  const used = Object.entries(filter).filter(([, value]) => value !== undefined);
  const onHour = (value: number | undefined) => value === undefined || value % HOUR_MS === 0;
  return used.every(([name]) => ROLLUP_FILTERS.has(name)) && filter.status !== 'started' && onHour(filter.from) && onHour(filter.to);
}

function statsSql(filter: TransferFilter, groupBy: GroupBy | undefined): { sql: string; params: Record<string, unknown> } {
  if (rollupAnswers(filter)) {
    const { where, params } = endedWhere(filter);
    const rollupWhere = where.map((clause) => clause.replace(/^started_at/, 'hour'));
    const { key, group } = grouping(groupBy, 'hour');
    const sql = `SELECT ${key} AS key, coalesce(sum(transfers), 0) AS transfers, coalesce(sum(bytes), 0) AS bytes,
        coalesce(sum(CASE WHEN status = 'completed' THEN transfers END), 0) AS completed, coalesce(sum(CASE WHEN status = 'failed' THEN transfers END), 0) AS failed,
        coalesce(sum(CASE WHEN status = 'aborted' THEN transfers END), 0) AS aborted, coalesce(sum(duration_ms), 0) AS durationMs
      FROM transfer_rollup ${whereSql(rollupWhere)} ${group}`;
    return { sql, params };
  }
  const { where, params } = endedWhere(filter);
  const { key, group } = grouping(groupBy, 'started_at');
  const sql = `SELECT ${key} AS key, count(*) AS transfers, coalesce(sum(bytes), 0) AS bytes,
      sum(status = 'completed') AS completed, sum(status = 'failed') AS failed, sum(status = 'aborted') AS aborted,
      coalesce(sum(duration_ms), 0) AS durationMs
    FROM transfers ${whereSql(where)} ${group}`;
  return { sql, params };
}

/** Counts, bytes and failure rate of ended transfers, grouped; served from the hourly rollup when it can answer. */
export function transferStats(db: Database.Database, filter: TransferFilter, groupBy: GroupBy | undefined): TransferStats[] {
  const { sql, params } = statsSql(filter, groupBy);
  type Row = Omit<TransferStats, 'failureRate'>;
  const rows = db.prepare<[Record<string, unknown>], Row>(sql).all(params).filter((row) => row.transfers > 0 || groupBy === undefined);
  return rows.map((row) => {
    const ended = row.completed + row.failed + row.aborted;
    return { ...row, completed: row.completed ?? 0, failed: row.failed ?? 0, aborted: row.aborted ?? 0, failureRate: ended === 0 ? null : row.failed / ended };
  });
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/** Nearest-rank percentile over an SQL expression of the filtered rows. */
function percentilesOf(db: Database.Database, expression: string, where: readonly string[], params: Record<string, unknown>): Percentiles {
  const from = `FROM transfers ${whereSql([...where, `${expression} IS NOT NULL`])}`;
  const count = db.prepare<[Record<string, unknown>], { n: number }>(`SELECT count(*) AS n ${from}`).get(params)?.n ?? 0;
  const at = db.prepare<[Record<string, unknown>], { v: number }>(`SELECT ${expression} AS v ${from} ORDER BY v LIMIT 1 OFFSET @rank`);
  const pick = (p: number) => (count === 0 ? null : (at.get({ ...params, rank: Math.max(0, Math.ceil((p / 100) * count) - 1) })?.v ?? null));
  return { count, p50: pick(50), p95: pick(95), p99: pick(99) };
}

/** Throughput (bytes/s) and duration percentiles; completed transfers unless a status is asked for. */
export function transferPercentiles(db: Database.Database, filter: TransferFilter): { throughputBytesPerS: Percentiles; durationMs: Percentiles } {
  const { where, params } = transferWhere(filter.status === undefined ? { ...filter, status: 'completed' } : filter);
  return {
    throughputBytesPerS: percentilesOf(db, 'CASE WHEN duration_ms > 0 THEN bytes * 1000.0 / duration_ms END', where, params),
    durationMs: percentilesOf(db, 'duration_ms', where, params),
  };
}

export interface TopFile {
  readonly username: string;
  readonly path: string;
  readonly transfers: number;
  readonly bytes: number;
}

export function topFiles(db: Database.Database, filter: TransferFilter, by: 'transfers' | 'bytes', limit: number): TopFile[] {
  const { where, params } = endedWhere(filter);
  const sql = `SELECT username, path, count(*) AS transfers, coalesce(sum(bytes), 0) AS bytes FROM transfers ${whereSql(where)}
    GROUP BY username, path ORDER BY ${by === 'bytes' ? 'bytes' : 'transfers'} DESC, username, path LIMIT @limit`;
  return db.prepare<[Record<string, unknown>], TopFile>(sql).all({ ...params, limit });
}
