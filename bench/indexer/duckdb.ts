import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { benchRows, percentile, prng, timeItAsync, YEAR_START_MS } from './rows.js';
import type { EngineResult } from './sqlite.js';

const SCHEMA = `
  CREATE TABLE transfers (event_id VARCHAR PRIMARY KEY, transfer_id VARCHAR, username VARCHAR, gateway VARCHAR, client_ip VARCHAR,
    direction VARCHAR, status VARCHAR, path VARCHAR, bytes BIGINT, duration_ms BIGINT, ended_at BIGINT);
  CREATE TABLE staging AS SELECT * FROM transfers LIMIT 0;`;

async function append(connection: DuckDBConnection, table: string, count: number, users: number): Promise<void> {
  const appender = await connection.createAppender(table);
  for (const row of benchRows(count, users)) {
    appender.appendVarchar(row.eventId);
    appender.appendVarchar(row.transferId);
    appender.appendVarchar(row.username);
    appender.appendVarchar(row.gateway);
    appender.appendVarchar(row.clientIp);
    appender.appendVarchar(row.direction);
    appender.appendVarchar(row.status);
    appender.appendVarchar(row.path);
    appender.appendBigInt(BigInt(row.bytes));
    appender.appendBigInt(BigInt(row.durationMs));
    appender.appendBigInt(BigInt(row.endedAtMs));
    appender.endRow();
  }
  appender.closeSync();
}

export async function benchDuckdb(file: string, count: number, users: number): Promise<EngineResult> {
  const instance = await DuckDBInstance.create(file, { threads: '2' });
  const connection = await instance.connect();
  await connection.run(SCHEMA);
  const ingestMs = await timeItAsync(() => append(connection, 'transfers', count, users));

  const page = await connection.prepare('SELECT * FROM transfers WHERE username = $1 AND ended_at >= $2 AND ended_at < $3 ORDER BY ended_at LIMIT 100');
  const random = prng(7);
  const pageTimes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const from = YEAR_START_MS + Math.floor(random() * 358) * 86_400_000;
    page.bind([`user${Math.floor(random() * 20)}`, BigInt(from), BigInt(from + 7 * 86_400_000)]);
    pageTimes.push(await timeItAsync(async () => (await page.run()).getRows()));
  }
  pageTimes.sort((a, b) => a - b);

  const dailyBytesMs = await timeItAsync(async () => (await connection.runAndReadAll('SELECT username, ended_at // 86400000 AS day, sum(bytes) FROM transfers GROUP BY 1, 2')).getRows());

  let scanned = 0;
  const scanMs = await timeItAsync(async () => {
    const result = await connection.stream('SELECT * FROM transfers ORDER BY ended_at');
    for await (const rows of result.yieldRows()) {
      for (const row of rows) scanned += row.join(',').length > 0 ? 1 : 0;
    }
  });

  // Idempotent apply of already-seen events: append to a staging table, then insert what is new.
  const again = Math.min(count, 100_000);
  const upsertMs = await timeItAsync(async () => {
    await append(connection, 'staging', again, users);
    await connection.run('BEGIN; INSERT INTO transfers SELECT * FROM staging ON CONFLICT DO NOTHING; DELETE FROM staging; COMMIT;');
  });
  // Per-event idempotent apply (what a consumer committing each small batch does).
  const single = await connection.prepare(
    `INSERT INTO transfers VALUES ($1, 'x', 'user1', 'gw-0', '10.0.0.1', 'upload', 'completed', '/p', 1, 1, 1) ON CONFLICT DO NOTHING`,
  );
  const perEventMs = await timeItAsync(async () => {
    for (let i = 0; i < 2_000; i++) {
      single.bind([`e-${i.toString(36).padStart(8, '0')}`]);
      await single.run();
    }
  });
  connection.closeSync();
  instance.closeSync();
  return {
    engine: 'duckdb (@duckdb/node-api, appender)',
    ingestRowsPerS: Math.round(count / (ingestMs / 1_000)),
    pageP50Ms: percentile(pageTimes, 50),
    pageP95Ms: percentile(pageTimes, 95),
    dailyBytesMs,
    scanRowsPerS: Math.round(scanned / (scanMs / 1_000)),
    upsertRowsPerS: Math.round(again / (upsertMs / 1_000)),
    perEventUpsertRowsPerS: Math.round(2_000 / (perEventMs / 1_000)),
  };
}
