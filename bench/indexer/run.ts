/**
 * Engine benchmark for the storage-indexer (ADR 0005). Loads synthetic transfer rows
 * into SQLite and DuckDB and times ingest, a filtered page, daily bytes per user, a
 * full scan and idempotent re-apply.
 *
 *   npx tsx bench/indexer/run.ts            # 1,000,000 rows, 200 users
 *   BENCH_ROWS=10000000 npx tsx bench/indexer/run.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDuckdb } from './duckdb.js';
import { benchSqlite } from './sqlite.js';

const rows = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
const users = Number(process.env['BENCH_USERS'] ?? 200);
const only = process.env['BENCH_ENGINE'];
const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-indexer-'));
try {
  if (only === undefined || only === 'sqlite') {
    const file = join(dir, 'bench.sqlite');
    const result = benchSqlite(file, rows, users);
    console.log(JSON.stringify({ rows, users, ...result, fileBytes: statSync(file).size }));
  }
  if (only === undefined || only === 'duckdb') {
    const file = join(dir, 'bench.duckdb');
    const result = await benchDuckdb(file, rows, users);
    console.log(JSON.stringify({ rows, users, ...result, fileBytes: statSync(file).size }));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
