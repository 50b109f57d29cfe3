import type Database from 'better-sqlite3';

/** Bump when the schema changes: a store of another version is rebuilt, not migrated. */
export const SCHEMA_VERSION = 1;

/** Times are epoch milliseconds; client addresses also as sortable keys (see domain/ip.ts). */
const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS consumer_position (
  id INTEGER PRIMARY KEY CHECK (id = 1), stream_seq INTEGER NOT NULL, event_time INTEGER, applied_events INTEGER NOT NULL);
INSERT OR IGNORE INTO consumer_position VALUES (1, 0, NULL, 0);
CREATE TABLE IF NOT EXISTS applied_events (event_id TEXT PRIMARY KEY, stream_seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS anomalies (kind TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS transfers (
  transfer_id TEXT PRIMARY KEY, session_id TEXT NOT NULL, username TEXT NOT NULL, client_ip TEXT NOT NULL,
  client_ip_key TEXT NOT NULL, gateway TEXT NOT NULL, protocol TEXT NOT NULL, mode TEXT NOT NULL, direction TEXT NOT NULL,
  path TEXT NOT NULL, "offset" INTEGER NOT NULL, started_at INTEGER NOT NULL, status TEXT NOT NULL, bytes INTEGER,
  duration_ms INTEGER, ended_at INTEGER, partial INTEGER, error_code TEXT, error_message TEXT, file_size INTEGER,
  last_event_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS transfers_time ON transfers (started_at, transfer_id);
CREATE INDEX IF NOT EXISTS transfers_user_time ON transfers (username, started_at, transfer_id);
-- No index on path alone: no query seeks by it, and every random-order index costs each insert a page write.
DROP INDEX IF EXISTS transfers_path;

CREATE TABLE IF NOT EXISTS transfer_rollup (
  hour INTEGER NOT NULL, username TEXT NOT NULL, gateway TEXT NOT NULL, direction TEXT NOT NULL, status TEXT NOT NULL,
  transfers INTEGER NOT NULL, bytes INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
  PRIMARY KEY (hour, username, gateway, direction, status)) WITHOUT ROWID;
-- One user's hours without reading every user's (the rollup holds millions of rows at 10M transfers); covering
-- (the key columns of the table come with it), so a year of the busiest user is read from this index alone.
CREATE INDEX IF NOT EXISTS transfer_rollup_user ON transfer_rollup (username, hour, transfers, bytes, duration_ms);

CREATE TABLE IF NOT EXISTS files (
  username TEXT NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL, size INTEGER, modified_at INTEGER NOT NULL,
  last_uploader TEXT, last_transfer_id TEXT, last_event_id TEXT NOT NULL, PRIMARY KEY (username, path)) WITHOUT ROWID;
DROP INDEX IF EXISTS files_path;

-- Appended in stream order (rowid) with one index for the history query; applied_events already keeps an event
-- from being projected twice, so no unique key is needed (stores made before 2026-11-22 have one: still correct).
CREATE TABLE IF NOT EXISTS path_events (
  username TEXT NOT NULL, path TEXT NOT NULL, stream_seq INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,
  at INTEGER NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS path_events_path ON path_events (path, stream_seq);

CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY, username TEXT, client_ip TEXT NOT NULL, client_ip_key TEXT NOT NULL, gateway TEXT NOT NULL,
  protocol TEXT, status TEXT NOT NULL, opened_at INTEGER, ended_at INTEGER, duration_ms INTEGER, reason TEXT,
  kicked_by TEXT, sort_at INTEGER NOT NULL, last_event_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_time ON sessions (sort_at, session_id);

CREATE TABLE IF NOT EXISTS logins (
  event_id TEXT PRIMARY KEY, at INTEGER NOT NULL, username TEXT NOT NULL, client_ip TEXT NOT NULL, client_ip_key TEXT NOT NULL,
  gateway TEXT NOT NULL, session_id TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT, cached INTEGER);
CREATE INDEX IF NOT EXISTS logins_time ON logins (at, event_id);
`;

export function migrate(db: Database.Database): void {
  db.exec(DDL);
  const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get();
  if (row === undefined) db.prepare("INSERT INTO meta VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
}

export function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before its messages are acked, even across a power loss.
  // Affordable because the consumer commits a whole batch per transaction.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // Every batch dirties pages all over the indexes; a larger cache keeps them from being read back, and a
  // larger WAL before a checkpoint writes a page that several batches touched once instead of per batch.
  db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
  db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
}

/** 64 MiB of page cache for the writer connection. */
const WRITER_CACHE_KIB = 65_536;
/** Checkpoint after ~64 MiB of WAL (default: 1,000 pages, ~4 MiB, which a large batch fills at once). */
const WAL_CHECKPOINT_PAGES = 16_384;
