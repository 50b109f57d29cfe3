import type { Socket } from 'node:net';
import { Transform, type Duplex } from 'node:stream';
import { GatewayError } from '../../domain/errors.js';
import { replyForError, type FtpReply } from '../../domain/replies.js';
import { FromNetworkAscii, ToNetworkAscii } from '../../domain/ascii.js';
import type { FtpSession } from './session.js';

export type DataOutcome =
  | { readonly status: 'completed' }
  | { readonly status: 'aborted' }
  /** `reply` is what the client was told; the event repeats it (never internal text). */
  | { readonly status: 'failed'; readonly error: GatewayError; readonly reply: FtpReply };

/**
 * Runs one data-connection job (a listing or a file transfer): 150, open the
 * prepared connection (TLS under PROT P), run, then 226 / 426 / 425 / 451.
 * While it runs, ABOR and STAT are answered (session.transfer).
 */
export async function withDataConnection(session: FtpSession, opening: string, describe: () => string, run: (socket: Duplex) => Promise<void>): Promise<DataOutcome> {
  const channel = session.data;
  session.data = undefined;
  if (channel === undefined) {
    const error = new GatewayError('DATA_CONNECTION_FAILED', 'no data connection prepared');
    session.reply(425, 'Use PASV, EPSV, PORT or EPRT first.');
    return { status: 'failed', error, reply: replyForError(error) };
  }
  session.reply(150, opening);
  let socket: Duplex | undefined;
  let aborted = false;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  session.transfer = {
    abort: () => {
      aborted = true;
      socket?.destroy();
      channel.close();
    },
    done,
    describe,
  };
  try {
    socket = await channel.open(session.protectData ? session.ctx.tls : undefined);
    if (aborted) throw new GatewayError('TRANSFER_ABORTED', 'aborted before the data connection opened');
    const stalled = socket as Socket;
    stalled.setTimeout(session.ctx.dataTimeoutMs, () => stalled.destroy(new GatewayError('TRANSFER_FAILED', 'data connection stalled')));
    await run(socket);
    session.reply(226, 'Transfer complete.');
    return { status: 'completed' };
  } catch (error) {
    socket?.destroy();
    if (aborted) {
      session.reply(426, 'Connection closed; transfer aborted.');
      return { status: 'aborted' };
    }
    // Past the data connection, anything that is not ours (ECONNRESET, EPIPE…) is the connection failing.
    const failure = error instanceof GatewayError ? error : new GatewayError('TRANSFER_FAILED', 'data connection failed', { cause: error });
    const reply = replyForError(failure);
    session.logger.info({ err: error }, 'transfer failed');
    session.reply(reply.code, reply.text);
    return { status: 'failed', error: failure, reply };
  } finally {
    channel.close();
    session.transfer = undefined;
    finished();
  }
}

export function toNetworkAscii(): Transform {
  const converter = new ToNetworkAscii();
  return new Transform({ transform: (chunk: Buffer, _e, callback) => callback(null, converter.convert(chunk)) });
}

export function fromNetworkAscii(): Transform {
  const converter = new FromNetworkAscii();
  return new Transform({
    transform: (chunk: Buffer, _e, callback) => callback(null, converter.convert(chunk)),
    flush: (callback) => callback(null, converter.flush()),
  });
}
