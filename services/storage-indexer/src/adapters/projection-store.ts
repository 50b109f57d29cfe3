import Database from 'better-sqlite3';
import type { ActivityEvent, AuthEvent, FsEvent, SessionEvent, TransferEvent } from '@ferry/contracts';
import type { AnomalyKind } from '../domain/anomalies.js';
import { planCatalog, type CatalogOp, type CatalogView } from '../domain/catalog.js';
import { loginOf } from '../domain/logins.js';
import { evolveSession } from '../domain/sessions.js';
import { evolveTransfer, type TransferDoc } from '../domain/transfers.js';
import { addressKey } from '../domain/ip.js';
import { fileToRow, ms, rowToFile, rowToSession, rowToTransfer, sessionToRow, TRANSFER_ROW_COLUMNS, transferToRow, type FileRow, type SessionRow, type TransferRow } from './rows.js';
import { configure, migrate } from './schema.js';

export type ApplyResult = 'applied' | 'duplicate';

/** One message of a batch: an event to apply, or a sequence to step over (unknown type, dead letter). */
export type BatchItem = { readonly event: ActivityEvent; readonly seq: number } | { readonly event?: undefined; readonly seq: number };

export interface Position {
  /** The highest stream sequence applied (or skipped on purpose). */
  readonly streamSeq: number;
  /** The `time` of the last applied event, epoch ms; null before the first. */
  readonly eventTime: number | null;
  /** Events applied into this store (duplicates not counted). */
  readonly appliedEvents: number;
}

const HOUR_MS = 3_600_000;

/**
 * The projections in one SQLite file. Every event is applied in one transaction
 * together with its id (applied_events) and the stream position, so a crash at any
 * point leaves either all of it or none of it, and a redelivered event is a no-op.
 */
export class ProjectionStore {
  readonly db: Database.Database;
  private readonly statements;
  private readonly applyTx: (event: ActivityEvent, seq: number) => ApplyResult;
  private readonly skipTx: (seq: number) => void;
  private readonly batchTx: (items: readonly BatchItem[]) => (ApplyResult | 'skipped')[];

  constructor(readonly file: string, options: { readonly?: boolean } = {}) {
    this.db = new Database(file, { readonly: options.readonly ?? false });
    if (options.readonly !== true) {
      configure(this.db);
      migrate(this.db);
    }
    this.statements = prepare(this.db);
    this.applyTx = this.db.transaction((event: ActivityEvent, seq: number) => this.applyBatchInTx([{ event, seq }])[0] as ApplyResult);
    this.skipTx = this.db.transaction((seq: number) => {
      this.statements.advance.run({ seq, eventTime: null, applied: 0 });
    });
    this.batchTx = this.db.transaction((items: readonly BatchItem[]) => this.applyBatchInTx(items));
  }

  /** Applies a whole batch in ONE transaction (all or nothing), each event still once by id. */
  applyBatch(items: readonly BatchItem[]): (ApplyResult | 'skipped')[] {
    return this.batchTx(items);
  }

  /** Applies one event unless its id was applied before; moves the position either way. */
  apply(event: ActivityEvent, streamSeq: number): ApplyResult {
    return this.applyTx(event, streamSeq);
  }

  /** Moves the position over a message that is not applied (skipped or dead-lettered). */
  skip(streamSeq: number): void {
    this.skipTx(streamSeq);
  }

  position(): Position {
    const row = this.statements.position.get();
    return { streamSeq: row?.stream_seq ?? 0, eventTime: row?.event_time ?? null, appliedEvents: row?.applied_events ?? 0 };
  }

  anomalies(): Record<string, number> {
    return Object.fromEntries(this.statements.anomalies.all().map((row) => [row.kind, row.count]));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Inside a transaction: each event once by id, then the position moved ONCE for the whole batch. */
  private applyBatchInTx(items: readonly BatchItem[]): (ApplyResult | 'skipped')[] {
    const s = this.statements;
    let seq = 0;
    let eventTime: number | null = null;
    let applied = 0;
    const results = items.map((item): ApplyResult | 'skipped' => {
      seq = Math.max(seq, item.seq);
      if (item.event === undefined) return 'skipped';
      // One statement both checks and records the id: no row inserted means it was applied before.
      if (s.markApplied.run(item.event.id, item.seq).changes === 0) return 'duplicate';
      for (const kind of this.project(item.event, item.seq)) s.countAnomaly.run(kind);
      eventTime = ms(item.event.time);
      applied += 1;
      return 'applied';
    });
    if (items.length > 0) s.advance.run({ seq, eventTime, applied });
    return results;
  }

  private project(event: ActivityEvent, seq: number): readonly AnomalyKind[] {
    switch (event.type) {
      case 'ferry.transfer.started.v1':
      case 'ferry.transfer.completed.v1':
      case 'ferry.transfer.failed.v1':
      case 'ferry.transfer.aborted.v1':
        return this.projectTransfer(event, seq);
      case 'ferry.fs.mkdir.v1':
      case 'ferry.fs.rmdir.v1':
      case 'ferry.fs.delete.v1':
      case 'ferry.fs.rename.v1':
        return this.projectFs(event, seq);
      case 'ferry.session.opened.v1':
      case 'ferry.session.closed.v1':
      case 'ferry.session.expired.v1':
      case 'ferry.session.kicked.v1':
      case 'ferry.session.refused.v1':
        return this.projectSession(event);
      case 'ferry.auth.login.succeeded.v1':
      case 'ferry.auth.login.failed.v1':
        this.projectLogin(event);
        return [];
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  private projectTransfer(event: TransferEvent, seq: number): readonly AnomalyKind[] {
    const s = this.statements;
    const existing = s.getTransfer.get(event.data.transferId);
    const before = existing === undefined ? null : rowToTransfer(existing);
    const { doc, anomalies } = evolveTransfer(before, event);
    const row = transferToRow(doc);
    s.putTransfer.run(...TRANSFER_ROW_COLUMNS.map((column) => row[column]));
    if (doc.status !== 'started' && (before === null || before.status === 'started')) this.rollUp(doc);
    const { username, path } = event.data;
    s.pathEvent.run({ username, path, seq, eventId: event.id, type: event.type, at: ms(event.time), detail: JSON.stringify({ transferId: event.data.transferId, direction: event.data.direction }) });
    return [...anomalies, ...this.applyCatalog(event)];
  }

  private rollUp(doc: TransferDoc): void {
    // Bucketed by start time, like every other transfer query (a transfer's start never changes).
    this.statements.rollup.run({
      hour: Math.floor(ms(doc.startedAt) / HOUR_MS) * HOUR_MS,
      username: doc.username,
      gateway: doc.gateway,
      direction: doc.direction,
      status: doc.status,
      bytes: doc.bytes ?? 0,
      durationMs: doc.durationMs ?? 0,
    });
  }

  private projectFs(event: FsEvent, seq: number): readonly AnomalyKind[] {
    const { username } = event.data;
    // A set: a rename onto itself names its path once (path_events has no unique key; applied_events keeps it once per event).
    const paths = new Set(event.type === 'ferry.fs.rename.v1' ? [event.data.from, event.data.to] : [event.data.path]);
    const detail = event.type === 'ferry.fs.rename.v1' ? { from: event.data.from, to: event.data.to, isDirectory: event.data.isDirectory } : {};
    for (const path of paths) this.statements.pathEvent.run({ username, path, seq, eventId: event.id, type: event.type, at: ms(event.data.at), detail: JSON.stringify(detail) });
    return this.applyCatalog(event);
  }

  private applyCatalog(event: FsEvent | TransferEvent): readonly AnomalyKind[] {
    const s = this.statements;
    const view: CatalogView = {
      get: (username, path) => {
        const row = s.getFile.get(username, path);
        return row === undefined ? undefined : rowToFile(row);
      },
    };
    const plan = planCatalog(view, event);
    for (const op of plan.ops) this.applyCatalogOp(op);
    return plan.anomalies;
  }

  private applyCatalogOp(op: CatalogOp): void {
    const s = this.statements;
    switch (op.op) {
      case 'put':
        s.putFile.run(fileToRow(op.entry));
        return;
      case 'removeTree':
        s.removeTree.run({ username: op.username, path: op.path, below: `${op.path}/`, after: `${op.path}0` });
        return;
      case 'moveTree':
        s.moveTree.run({ username: op.username, from: op.from, to: op.to, cut: op.from.length + 1, below: `${op.from}/`, after: `${op.from}0` });
        return;
      default: {
        const _exhaustive: never = op;
        return _exhaustive;
      }
    }
  }

  private projectSession(event: SessionEvent): readonly AnomalyKind[] {
    const s = this.statements;
    const existing = s.getSession.get(event.data.sessionId);
    const { doc, anomalies } = evolveSession(existing === undefined ? null : rowToSession(existing), event);
    s.putSession.run(sessionToRow(doc, existing?.sort_at ?? ms(event.time)));
    return anomalies;
  }

  private projectLogin(event: AuthEvent): void {
    const login = loginOf(event);
    this.statements.putLogin.run({
      eventId: login.eventId,
      at: ms(login.at),
      username: login.username,
      clientIp: login.clientIp,
      clientIpKey: addressKey(login.clientIp) ?? '',
      gateway: login.gateway,
      sessionId: login.sessionId,
      outcome: login.outcome,
      reason: login.reason,
      cached: login.cached === null ? null : login.cached ? 1 : 0,
    });
  }
}

function prepare(db: Database.Database) {
  return {
    markApplied: db.prepare<[string, number]>('INSERT OR IGNORE INTO applied_events (event_id, stream_seq) VALUES (?, ?)'),
    advance: db.prepare<[{ seq: number; eventTime: number | null; applied: number }]>(
      'UPDATE consumer_position SET stream_seq = max(stream_seq, @seq), event_time = coalesce(@eventTime, event_time), applied_events = applied_events + @applied WHERE id = 1',
    ),
    position: db.prepare<[], { stream_seq: number; event_time: number | null; applied_events: number }>('SELECT stream_seq, event_time, applied_events FROM consumer_position WHERE id = 1'),
    countAnomaly: db.prepare<[string]>('INSERT INTO anomalies (kind, count) VALUES (?, 1) ON CONFLICT (kind) DO UPDATE SET count = count + 1'),
    anomalies: db.prepare<[], { kind: string; count: number }>('SELECT kind, count FROM anomalies ORDER BY kind'),
    getTransfer: db.prepare<[string], TransferRow>('SELECT * FROM transfers WHERE transfer_id = ?'),
    // An upsert that rewrites only what an end changes: the indexed start fields of a transfer never change,
    // so SQLite leaves its indexes alone (REPLACE would delete and re-insert every index entry).
    // Positional values (TRANSFER_ROW_COLUMNS order): binding 21 named values costs twice as much.
    putTransfer: db.prepare<TransferRow[keyof TransferRow][]>(
      `INSERT INTO transfers (${TRANSFER_ROW_COLUMNS.map((column) => `"${column}"`).join(', ')}) VALUES (${TRANSFER_ROW_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (transfer_id) DO UPDATE SET status = excluded.status, bytes = excluded.bytes, duration_ms = excluded.duration_ms,
        ended_at = excluded.ended_at, partial = excluded.partial, error_code = excluded.error_code, error_message = excluded.error_message,
        file_size = excluded.file_size, last_event_id = excluded.last_event_id`,
    ),
    rollup: db.prepare<[{ hour: number; username: string; gateway: string; direction: string; status: string; bytes: number; durationMs: number }]>(
      `INSERT INTO transfer_rollup VALUES (@hour, @username, @gateway, @direction, @status, 1, @bytes, @durationMs)
       ON CONFLICT DO UPDATE SET transfers = transfers + 1, bytes = bytes + excluded.bytes, duration_ms = duration_ms + excluded.duration_ms`,
    ),
    getFile: db.prepare<[string, string], FileRow>('SELECT * FROM files WHERE username = ? AND path = ?'),
    putFile: db.prepare<[FileRow]>('INSERT OR REPLACE INTO files VALUES (@username, @path, @kind, @size, @modified_at, @last_uploader, @last_transfer_id, @last_event_id)'),
    removeTree: db.prepare<[{ username: string; path: string; below: string; after: string }]>(
      'DELETE FROM files WHERE username = @username AND (path = @path OR (path >= @below AND path < @after))',
    ),
    moveTree: db.prepare<[{ username: string; from: string; to: string; cut: number; below: string; after: string }]>(
      'UPDATE files SET path = @to || substr(path, @cut) WHERE username = @username AND (path = @from OR (path >= @below AND path < @after))',
    ),
    pathEvent: db.prepare<[{ username: string; path: string; seq: number; eventId: string; type: string; at: number; detail: string }]>(
      'INSERT INTO path_events (username, path, stream_seq, event_id, type, at, detail) VALUES (@username, @path, @seq, @eventId, @type, @at, @detail)',
    ),
    getSession: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE session_id = ?'),
    putSession: db.prepare<[SessionRow]>(
      `INSERT OR REPLACE INTO sessions VALUES (@session_id, @username, @client_ip, @client_ip_key, @gateway, @protocol, @status, @opened_at,
        @ended_at, @duration_ms, @reason, @kicked_by, @sort_at, @last_event_id)`,
    ),
    putLogin: db.prepare<
      [{ eventId: string; at: number; username: string; clientIp: string; clientIpKey: string; gateway: string; sessionId: string; outcome: string; reason: string | null; cached: number | null }]
    >('INSERT OR IGNORE INTO logins VALUES (@eventId, @at, @username, @clientIp, @clientIpKey, @gateway, @sessionId, @outcome, @reason, @cached)'),
  };
}
