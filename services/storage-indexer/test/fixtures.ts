/** Realistic activity events for tests: one builder per event type, ids and times explicit. */
import {
  createEvent,
  DirectoryCreated,
  DirectoryRemoved,
  FileDeleted,
  LoginFailed,
  LoginSucceeded,
  PathRenamed,
  SessionClosed,
  SessionExpired,
  SessionKicked,
  SessionOpened,
  SessionRefused,
  TransferAborted,
  TransferCompleted,
  TransferFailed,
  TransferStarted,
  type ActivityEvent,
  type EventDefinition,
  type EventOf,
} from '@ferry/contracts';
import { exampleDataFor } from '@ferry/contracts/testing';
import type { z } from 'zod';

let counter = 0;
/** A fresh, valid event id (UUIDv7-shaped is not required by the schema). */
export function nextId(prefix = 'e'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export function event<D extends EventDefinition>(definition: D, overrides: Partial<z.input<D['data']>> = {}, meta: { id?: string; time?: string } = {}): EventOf<D> {
  const data = { ...(exampleDataFor(definition) as object), ...overrides } as z.input<D['data']>;
  return createEvent(definition, data, { source: 'ftp-gateway/gw-1', id: meta.id ?? nextId(), time: new Date(meta.time ?? '2026-11-22T10:00:00.000Z') });
}

export interface TransferSpec {
  transferId?: string;
  username?: string;
  path?: string;
  direction?: 'upload' | 'download';
  bytes?: number;
  durationMs?: number;
  gateway?: string;
  clientIp?: string;
  endedAt?: string;
  offset?: number;
  fileSize?: number;
}

function transferBase(spec: TransferSpec) {
  const endedAt = spec.endedAt ?? '2026-11-22T10:00:02.500Z';
  const durationMs = spec.durationMs ?? 2_500;
  return {
    transferId: spec.transferId ?? nextId('t'),
    username: spec.username ?? 'alice',
    path: spec.path ?? '/reports/q3.csv',
    direction: spec.direction ?? 'upload',
    gateway: spec.gateway ?? 'gw-1',
    clientIp: spec.clientIp ?? '203.0.113.7',
    offset: spec.offset ?? 0,
    startedAt: new Date(Date.parse(endedAt) - durationMs).toISOString(),
  } as const;
}

export function started(spec: TransferSpec = {}): EventOf<typeof TransferStarted> {
  const base = transferBase(spec);
  return event(TransferStarted, base, { time: base.startedAt });
}

export function completed(spec: TransferSpec = {}): EventOf<typeof TransferCompleted> {
  const base = transferBase(spec);
  const endedAt = spec.endedAt ?? '2026-11-22T10:00:02.500Z';
  return event(TransferCompleted, { ...base, bytes: spec.bytes ?? 1_000, durationMs: spec.durationMs ?? 2_500, endedAt, status: 'completed', fileSize: spec.fileSize }, { time: endedAt });
}

export function failed(spec: TransferSpec = {}, code = 'ECONNRESET'): EventOf<typeof TransferFailed> {
  const base = transferBase(spec);
  const endedAt = spec.endedAt ?? '2026-11-22T10:00:02.500Z';
  return event(TransferFailed, { ...base, bytes: spec.bytes ?? 10, durationMs: spec.durationMs ?? 2_500, endedAt, status: 'failed', partial: true, error: { code, message: 'reset' } }, { time: endedAt });
}

export function aborted(spec: TransferSpec = {}): EventOf<typeof TransferAborted> {
  const base = transferBase(spec);
  const endedAt = spec.endedAt ?? '2026-11-22T10:00:02.500Z';
  return event(TransferAborted, { ...base, bytes: spec.bytes ?? 0, durationMs: spec.durationMs ?? 2_500, endedAt, status: 'aborted', partial: false }, { time: endedAt });
}

const fsAt = (at: string | undefined) => at ?? '2026-11-22T11:00:00.000Z';
export const mkdir = (path: string, username = 'alice', at?: string) => event(DirectoryCreated, { path, username, at: fsAt(at) }, { time: fsAt(at) });
export const rmdir = (path: string, username = 'alice', at?: string) => event(DirectoryRemoved, { path, username, at: fsAt(at) }, { time: fsAt(at) });
export const del = (path: string, username = 'alice', at?: string) => event(FileDeleted, { path, username, at: fsAt(at), bytes: undefined }, { time: fsAt(at) });
export const rename = (from: string, to: string, isDirectory: boolean, username = 'alice', at?: string) =>
  event(PathRenamed, { from, to, isDirectory, username, at: fsAt(at) }, { time: fsAt(at) });

export const sessionOpened = (sessionId: string, at = '2026-11-22T09:00:00.000Z') => event(SessionOpened, { sessionId, openedAt: at }, { time: at });
export const sessionClosed = (sessionId: string, at = '2026-11-22T09:30:00.000Z') => event(SessionClosed, { sessionId, closedAt: at, durationMs: 1_800_000 }, { time: at });
export const sessionExpired = (sessionId: string, at = '2026-11-22T09:20:00.000Z') => event(SessionExpired, { sessionId, lastSeenAt: at }, { time: at });
export const sessionKicked = (sessionId: string, at = '2026-11-22T09:10:00.000Z') => event(SessionKicked, { sessionId }, { time: at });
export const sessionRefused = (sessionId: string, at = '2026-11-22T09:00:00.000Z') => event(SessionRefused, { sessionId }, { time: at });

export const loginOk = (username = 'alice', at = '2026-11-22T09:00:00.000Z') => event(LoginSucceeded, { username }, { time: at });
export const loginBad = (username = 'root', clientIp = '198.51.100.9', at = '2026-11-22T09:00:01.000Z') =>
  event(LoginFailed, { username, clientIp, reason: 'bad_password' }, { time: at });

export type { ActivityEvent };
