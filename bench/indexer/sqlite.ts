import Database from 'better-sqlite3';
import { benchRows, percentile, prng, timeIt, YEAR_START_MS, type BenchRow } from './rows.js';

export interface EngineResult {
  readonly engine: string;
  readonly ingestRowsPerS: number;
  readonly pageP50Ms: number;
  readonly pageP95Ms: number;
  readonly dailyBytesMs: number;
  readonly scanRowsPerS: number;
  readonly upsertRowsPerS: number;
  /** One idempotent insert per call (no batching), as a per-message consumer would do. */
  readonly perEventUpsertRowsPerS: number;
}

const SCHEMA = `
  CREATE TABLE transfers (event_id TEXT PRIMARY KEY, transfer_id TEXT NOT NULL, username TEXT NOT NULL, gateway TEXT NOT NULL,
    client_ip TEXT NOT NULL, direction TEXT NOT NULL, status TEXT NOT NULL, path TEXT NOT NULL, bytes INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL, ended_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX transfers_user_time ON transfers (username, ended_at);
  CREATE TABLE position (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
  INSERT INTO position VALUES (1, 0);`;

const INSERT = `INSERT INTO transfers VALUES (@eventId, @transferId, @username, @gateway, @clientIp, @direction, @status, @path, @bytes, @durationMs, @endedAtMs)
  ON CONFLICT (event_id) DO NOTHING`;

/** Loads `count` rows in transactions of `batch` rows, each also moving the consumer position (as the indexer would). */
function load(db: Database.Database, rows: Iterable<BenchRow>, batch: number): number {
  const insert = db.prepare(INSERT);
  const position = db.prepare('UPDATE position SET seq = seq + ? WHERE id = 1');
  let loaded = 0;
  const apply = db.transaction((items: BenchRow[]) => {
    for (const item of items) loaded += insert.run(item).changes;
    position.run(items.length);
  });
  let pending: BenchRow[] = [];
  for (const row of rows) {
    pending.push(row);
    if (pending.length === batch) {
      apply(pending);
      pending = [];
    }
  }
  if (pending.length > 0) apply(pending);
  return loaded;
}

export function benchSqlite(file: string, count: number, users: number): EngineResult {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  const ingestMs = timeIt(() => load(db, benchRows(count, users), 1_000));

  const page = db.prepare('SELECT * FROM transfers WHERE username = ? AND ended_at >= ? AND ended_at < ? ORDER BY ended_at LIMIT 100');
  const random = prng(7);
  const pageTimes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const from = YEAR_START_MS + Math.floor(random() * 358) * 86_400_000;
    const user = `user${Math.floor(random() * 20)}`;
    pageTimes.push(timeIt(() => page.all(user, from, from + 7 * 86_400_000)));
  }
  pageTimes.sort((a, b) => a - b);

  const dailyBytesMs = timeIt(() => db.prepare('SELECT username, ended_at / 86400000 AS day, sum(bytes) FROM transfers GROUP BY 1, 2').all());

  let scanned = 0;
  const scanMs = timeIt(() => {
    for (const row of db.prepare('SELECT * FROM transfers ORDER BY ended_at').raw().iterate() as Iterable<unknown[]>) {
      scanned += row.join(',').length > 0 ? 1 : 0;
    }
  });

  const again = Math.min(count, 100_000);
  const upsertMs = timeIt(() => load(db, benchRows(again, users), 1_000));
  const perEventMs = timeIt(() => load(db, benchRows(2_000, users), 1));
  db.close();
  return {
    engine: 'sqlite (better-sqlite3, WAL)',
    ingestRowsPerS: Math.round(count / (ingestMs / 1_000)),
    pageP50Ms: percentile(pageTimes, 50),
    pageP95Ms: percentile(pageTimes, 95),
    dailyBytesMs,
    scanRowsPerS: Math.round(scanned / (scanMs / 1_000)),
    upsertRowsPerS: Math.round(again / (upsertMs / 1_000)),
    perEventUpsertRowsPerS: Math.round(2_000 / (perEventMs / 1_000)),
  };
}
