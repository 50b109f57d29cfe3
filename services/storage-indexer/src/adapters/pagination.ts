import type Database from 'better-sqlite3';
import { QueryParamError } from './http/errors.js';

export type SortKey = readonly [number | string, string];

export interface PageSpec {
  /** FROM … (table) */
  readonly from: string;
  /** The two sort columns: a time and a unique tie-breaker. */
  readonly keys: readonly [string, string];
  readonly where: readonly string[];
  readonly params: Record<string, unknown>;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
  readonly cursor: string | undefined;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export function encodeCursor(key: SortKey, order: 'asc' | 'desc'): string {
  return Buffer.from(JSON.stringify([key[0], key[1], order]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, order: 'asc' | 'desc'): SortKey {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new QueryParamError('cursor', 'cursor: expected a cursor returned as nextCursor by a previous page');
  }
  if (!Array.isArray(value) || value.length !== 3 || !['number', 'string'].includes(typeof value[0]) || typeof value[1] !== 'string') {
    throw new QueryParamError('cursor', 'cursor: expected a cursor returned as nextCursor by a previous page');
  }
  if (value[2] !== order) throw new QueryParamError('cursor', `cursor: was made for order=${String(value[2])}; use the same order as the first page`);
  return [value[0] as number | string, value[1]];
}

/**
 * Keyset pagination: a page starts strictly after the cursor's sort key, so rows
 * inserted while a client pages never shift or repeat the rows it has not seen yet.
 */
export function pageOf<Row extends Record<string, unknown>, T>(db: Database.Database, spec: PageSpec, map: (row: Row) => T): Page<T> {
  const [k1, k2] = spec.keys;
  const where = [...spec.where];
  const params: Record<string, unknown> = { ...spec.params, limit: spec.limit + 1 };
  const cmp = spec.order === 'asc' ? '>' : '<';
  if (spec.cursor !== undefined) {
    const [c1, c2] = decodeCursor(spec.cursor, spec.order);
    where.push(`(${k1} ${cmp} @cursorA OR (${k1} = @cursorA AND ${k2} ${cmp} @cursorB))`);
    Object.assign(params, { cursorA: c1, cursorB: c2 });
  }
  const direction = spec.order === 'asc' ? 'ASC' : 'DESC';
  const sql = `SELECT * FROM ${spec.from} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${k1} ${direction}, ${k2} ${direction} LIMIT @limit`;
  const rows = db.prepare<[Record<string, unknown>], Row>(sql).all(params);
  const more = rows.length > spec.limit;
  const pageRows = more ? rows.slice(0, spec.limit) : rows;
  const last = pageRows.at(-1);
  const nextCursor = more && last !== undefined ? encodeCursor([last[k1] as number | string, String(last[k2])], spec.order) : null;
  return { items: pageRows.map(map), nextCursor };
}
