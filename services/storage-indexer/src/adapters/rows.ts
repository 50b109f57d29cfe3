import type { CatalogEntry } from '../domain/catalog.js';
import type { SessionDoc } from '../domain/sessions.js';
import type { TransferDoc } from '../domain/transfers.js';
import { addressKey } from '../domain/ip.js';

/** Mapping between domain documents and SQLite rows (times as epoch ms). */

export const ms = (iso: string): number => Date.parse(iso);
export const iso = (value: number): string => new Date(value).toISOString();
const isoOrNull = (value: number | null): string | null => (value === null ? null : iso(value));
const boolOrNull = (value: number | null): boolean | null => (value === null ? null : value === 1);

export interface TransferRow {
  transfer_id: string;
  session_id: string;
  username: string;
  client_ip: string;
  client_ip_key: string;
  gateway: string;
  protocol: string;
  mode: string;
  direction: string;
  path: string;
  offset: number;
  started_at: number;
  status: string;
  bytes: number | null;
  duration_ms: number | null;
  ended_at: number | null;
  partial: number | null;
  error_code: string | null;
  error_message: string | null;
  file_size: number | null;
  last_event_id: string;
}

/** The columns of a TransferRow, for positional binding. */
export const TRANSFER_ROW_COLUMNS = [
  'transfer_id', 'session_id', 'username', 'client_ip', 'client_ip_key', 'gateway', 'protocol', 'mode', 'direction', 'path', 'offset',
  'started_at', 'status', 'bytes', 'duration_ms', 'ended_at', 'partial', 'error_code', 'error_message', 'file_size', 'last_event_id',
] as const satisfies readonly (keyof TransferRow)[];

export function transferToRow(doc: TransferDoc): TransferRow {
  return {
    transfer_id: doc.transferId,
    session_id: doc.sessionId,
    username: doc.username,
    client_ip: doc.clientIp,
    client_ip_key: addressKey(doc.clientIp) ?? '',
    gateway: doc.gateway,
    protocol: doc.protocol,
    mode: doc.mode,
    direction: doc.direction,
    path: doc.path,
    offset: doc.offset,
    started_at: ms(doc.startedAt),
    status: doc.status,
    bytes: doc.bytes,
    duration_ms: doc.durationMs,
    ended_at: doc.endedAt === null ? null : ms(doc.endedAt),
    partial: doc.partial === null ? null : doc.partial ? 1 : 0,
    error_code: doc.errorCode,
    error_message: doc.errorMessage,
    file_size: doc.fileSize,
    last_event_id: doc.lastEventId,
  };
}

export function rowToTransfer(row: TransferRow): TransferDoc {
  return {
    transferId: row.transfer_id,
    sessionId: row.session_id,
    username: row.username,
    clientIp: row.client_ip,
    gateway: row.gateway,
    protocol: row.protocol as TransferDoc['protocol'],
    mode: row.mode as TransferDoc['mode'],
    direction: row.direction as TransferDoc['direction'],
    path: row.path,
    offset: row.offset,
    startedAt: iso(row.started_at),
    status: row.status as TransferDoc['status'],
    bytes: row.bytes,
    durationMs: row.duration_ms,
    endedAt: isoOrNull(row.ended_at),
    partial: boolOrNull(row.partial),
    errorCode: row.error_code,
    errorMessage: row.error_message,
    fileSize: row.file_size,
    lastEventId: row.last_event_id,
  };
}

export interface FileRow {
  username: string;
  path: string;
  kind: string;
  size: number | null;
  modified_at: number;
  last_uploader: string | null;
  last_transfer_id: string | null;
  last_event_id: string;
}

export const fileToRow = (entry: CatalogEntry): FileRow => ({
  username: entry.username,
  path: entry.path,
  kind: entry.kind,
  size: entry.size,
  modified_at: ms(entry.modifiedAt),
  last_uploader: entry.lastUploader,
  last_transfer_id: entry.lastTransferId,
  last_event_id: entry.lastEventId,
});

export const rowToFile = (row: FileRow): CatalogEntry => ({
  username: row.username,
  path: row.path,
  kind: row.kind as CatalogEntry['kind'],
  size: row.size,
  modifiedAt: iso(row.modified_at),
  lastUploader: row.last_uploader,
  lastTransferId: row.last_transfer_id,
  lastEventId: row.last_event_id,
});

export interface SessionRow {
  session_id: string;
  username: string | null;
  client_ip: string;
  client_ip_key: string;
  gateway: string;
  protocol: string | null;
  status: string;
  opened_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  reason: string | null;
  kicked_by: string | null;
  sort_at: number;
  last_event_id: string;
}

export const sessionToRow = (doc: SessionDoc, fallbackAt: number): SessionRow => {
  const openedAt = doc.openedAt === null ? null : ms(doc.openedAt);
  const endedAt = doc.endedAt === null ? null : ms(doc.endedAt);
  return {
    session_id: doc.sessionId,
    username: doc.username,
    client_ip: doc.clientIp,
    client_ip_key: addressKey(doc.clientIp) ?? '',
    gateway: doc.gateway,
    protocol: doc.protocol,
    status: doc.status,
    opened_at: openedAt,
    ended_at: endedAt,
    duration_ms: doc.durationMs,
    reason: doc.reason,
    kicked_by: doc.kickedBy,
    sort_at: openedAt ?? fallbackAt,
    last_event_id: doc.lastEventId,
  };
};

export const rowToSession = (row: SessionRow): SessionDoc => ({
  sessionId: row.session_id,
  username: row.username,
  clientIp: row.client_ip,
  gateway: row.gateway,
  protocol: row.protocol as SessionDoc['protocol'],
  status: row.status as SessionDoc['status'],
  openedAt: isoOrNull(row.opened_at),
  endedAt: isoOrNull(row.ended_at),
  durationMs: row.duration_ms,
  reason: row.reason,
  kickedBy: row.kicked_by,
  lastEventId: row.last_event_id,
});
