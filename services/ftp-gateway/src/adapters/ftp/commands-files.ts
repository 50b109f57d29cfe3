import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TransferAborted, TransferCompleted, TransferFailed, TransferStarted, type TransferDirection } from '@ferry/contracts';
import { instrument, SpanKind } from '@ferry/telemetry';
import { isPartial } from '../../domain/transfer-outcome.js';
import { resolveClientPath } from '../../domain/paths.js';
import type { Upload } from '../storage.js';
import { assertLoggedIn } from './commands-login.js';
import { target } from './commands-fs.js';
import { uniqueName } from './commands-data.js';
import type { FtpSession } from './session.js';
import { fromNetworkAscii, toNetworkAscii, withDataConnection, type DataOutcome } from './transfer.js';

interface TransferPlan {
  readonly direction: TransferDirection;
  readonly path: string;
  readonly offset: number;
  readonly run: (socket: Duplex) => Promise<void>;
  /**
   * File bytes moved so far, counted where they are read or written rather than through an
   * extra counting stage in the pipeline (one stream stage less per chunk, issue 7). A download
   * cut short may count up to one read-ahead buffer that never reached the client.
   */
  readonly bytes: () => number;
  readonly settle?: (outcome: DataOutcome, bytes: number) => Promise<void>;
  readonly opening: string;
  readonly fileSize?: () => number | undefined;
}

export async function retrCommand(session: FtpSession, arg: string): Promise<void> {
  const user = assertLoggedIn(session);
  const path = target(session, arg, 'read');
  const offset = takeOffset(session);
  if (!hasDataChannel(session)) return;
  const download = await user.storage.openRead(path, offset);
  const ascii = session.transferType === 'ascii';
  await transfer(session, {
    direction: 'download',
    path,
    offset,
    opening: `Opening ${ascii ? 'ASCII' : 'BINARY'} mode data connection (${download.size} bytes).`,
    run: (socket) => (ascii ? pipeline(download.stream(), toNetworkAscii(), socket) : download.sendTo(socket)),
    bytes: () => download.bytesRead,
    settle: () => download.close(),
    fileSize: () => download.size,
  });
}

export async function storCommand(session: FtpSession, arg: string, mode: 'STOR' | 'APPE' | 'STOU'): Promise<void> {
  const user = assertLoggedIn(session);
  let path = target(session, arg, mode === 'APPE' ? 'append' : 'write');
  if (mode === 'STOU') {
    const unique = resolveClientPath(session.cwd, uniqueName());
    if (unique.ok) path = unique.path;
  }
  const offset = mode === 'APPE' ? 0 : takeOffset(session);
  if (!hasDataChannel(session)) return;
  const upload: Upload = await user.storage.beginUpload(path, { offset, append: mode === 'APPE' });
  const ascii = session.transferType === 'ascii';
  let size: number | undefined;
  await transfer(session, {
    direction: 'upload',
    path,
    offset: upload.offset,
    opening: mode === 'STOU' ? `FILE: ${path.split('/').at(-1) ?? ''}` : 'Ok to send data.',
    run: async (socket) => {
      await (ascii ? pipeline(socket, fromNetworkAscii(), upload.stream) : pipeline(socket, upload.stream));
      await upload.commit();
      size = upload.offset + upload.stream.bytesWritten;
    },
    bytes: () => upload.stream.bytesWritten,
    settle: async (outcome, bytes) => {
      if (outcome.status !== 'completed') {
        upload.stream.destroy();
        await upload.abandon(bytes > 0);
      }
    },
    fileSize: () => size,
  });
}

function hasDataChannel(session: FtpSession): boolean {
  if (session.data !== undefined) return true;
  session.reply(425, 'Use PASV, EPSV, PORT or EPRT first.');
  return false;
}

function takeOffset(session: FtpSession): number {
  const offset = session.restOffset;
  session.restOffset = 0;
  return offset;
}

/** One span per transfer; its events are published in it (events.ts), so they carry its trace. */
function transfer(session: FtpSession, plan: TransferPlan): Promise<void> {
  return instrument({
    name: `ftp ${plan.direction}`,
    kind: SpanKind.SERVER,
    attributes: { 'ferry.session_id': session.sessionId, 'ferry.path': plan.path, 'ferry.direction': plan.direction },
    fn: () => transferInSpan(session, plan),
  });
}

async function transferInSpan(session: FtpSession, plan: TransferPlan): Promise<void> {
  const user = assertLoggedIn(session);
  const started = session.ctx.clock();
  const base = {
    sessionId: session.sessionId,
    username: user.username,
    clientIp: session.clientIp,
    gateway: session.ctx.gateway,
    transferId: randomUUID(),
    protocol: session.protocol,
    mode: session.data?.mode ?? 'passive',
    direction: plan.direction,
    path: plan.path,
    offset: plan.offset,
    startedAt: started.toISOString(),
  } as const;
  session.ctx.events.emit(TransferStarted, base);
  const outcome = await withDataConnection(session, plan.opening, () => `${plan.direction} ${plan.path} (${plan.bytes()} bytes)`, (socket) => plan.run(socket));
  const bytes = plan.bytes();
  await plan.settle?.(outcome, bytes).catch((error: unknown) => session.logger.error({ err: error }, 'transfer clean-up failed'));
  const ended = session.ctx.clock();
  const end = { ...base, bytes, durationMs: Math.max(0, ended.getTime() - started.getTime()), endedAt: ended.toISOString() };
  recordMetrics(session, plan.direction, outcome.status, bytes, end.durationMs);
  switch (outcome.status) {
    case 'completed': {
      const fileSize = plan.fileSize?.();
      session.ctx.events.emit(TransferCompleted, { ...end, status: 'completed', ...(fileSize === undefined ? {} : { fileSize }) });
      return;
    }
    case 'aborted':
      session.ctx.events.emit(TransferAborted, { ...end, status: 'aborted', partial: isPartial({ status: 'aborted', bytes }) });
      return;
    case 'failed':
      session.ctx.events.emit(TransferFailed, {
        ...end,
        status: 'failed',
        partial: isPartial({ status: 'failed', bytes }),
        error: { code: outcome.error.code, message: `${outcome.reply.code} ${outcome.reply.text}` },
      });
      return;
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
}

function recordMetrics(session: FtpSession, direction: TransferDirection, result: string, bytes: number, durationMs: number): void {
  const labels = { direction, result };
  session.ctx.metrics.transfers.inc(labels);
  session.ctx.metrics.bytes.inc(labels, bytes);
  session.ctx.metrics.transferDuration.observe(labels, durationMs / 1000);
}
