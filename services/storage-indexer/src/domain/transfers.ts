import type { TransferEvent } from '@ferry/contracts';
import type { AnomalyKind, Evolved } from './anomalies.js';

export type TransferStatus = 'started' | 'completed' | 'failed' | 'aborted';

/** One row per transfer: every field of the transfer events, the end merged over the start. */
export interface TransferDoc {
  readonly transferId: string;
  readonly sessionId: string;
  readonly username: string;
  readonly clientIp: string;
  readonly gateway: string;
  readonly protocol: 'ftp' | 'ftps';
  readonly mode: 'passive' | 'active';
  readonly direction: 'upload' | 'download';
  readonly path: string;
  readonly offset: number;
  readonly startedAt: string;
  readonly status: TransferStatus;
  readonly bytes: number | null;
  readonly durationMs: number | null;
  readonly endedAt: string | null;
  readonly partial: boolean | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** Size of the file after an upload, when the gateway reports it. */
  readonly fileSize: number | null;
  /** The id of the event that last changed this row. */
  readonly lastEventId: string;
}

function fromStart(event: TransferEvent): TransferDoc {
  const d = event.data;
  return {
    transferId: d.transferId,
    sessionId: d.sessionId,
    username: d.username,
    clientIp: d.clientIp,
    gateway: d.gateway,
    protocol: d.protocol,
    mode: d.mode,
    direction: d.direction,
    path: d.path,
    offset: d.offset,
    startedAt: d.startedAt,
    status: 'started',
    bytes: null,
    durationMs: null,
    endedAt: null,
    partial: null,
    errorCode: null,
    errorMessage: null,
    fileSize: null,
    lastEventId: event.id,
  };
}

function endFields(event: Exclude<TransferEvent, { type: 'ferry.transfer.started.v1' }>): Partial<TransferDoc> {
  const d = event.data;
  const common = { status: d.status, bytes: d.bytes, durationMs: d.durationMs, endedAt: d.endedAt, lastEventId: event.id };
  switch (event.type) {
    case 'ferry.transfer.completed.v1':
      return { ...common, partial: false, fileSize: event.data.fileSize ?? null };
    case 'ferry.transfer.failed.v1':
      return { ...common, partial: event.data.partial, errorCode: event.data.error.code, errorMessage: event.data.error.message };
    case 'ferry.transfer.aborted.v1':
      return { ...common, partial: event.data.partial, errorCode: event.data.error?.code ?? null, errorMessage: event.data.error?.message ?? null };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/**
 * Folds one transfer event into its row. Events may arrive in any order: an end
 * without a start makes a full row (an end carries every start field), a late start
 * keeps the end, and a second, different end is counted and ignored.
 */
export function evolveTransfer(doc: TransferDoc | null, event: TransferEvent): Evolved<TransferDoc> {
  if (event.type === 'ferry.transfer.started.v1') {
    if (doc === null) return { doc: fromStart(event), anomalies: [] };
    return { doc, anomalies: doc.status === 'started' ? [] : ['late_start'] };
  }
  if (doc !== null && doc.status !== 'started') {
    const anomalies: AnomalyKind[] = doc.status === event.data.status ? [] : ['conflicting_end'];
    return { doc, anomalies };
  }
  return { doc: { ...fromStart(event), ...(doc ?? {}), ...endFields(event) }, anomalies: [] };
}
