import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { SessionClosed, type UserProfile } from '@ferry/contracts';
import { isWellFormedVerb, LineFramer, parseCommandLine, type CommandLine } from '../../domain/command-line.js';
import { replyForError } from '../../domain/replies.js';
import type { HomeStorage } from '../storage.js';
import type { FtpContext } from './context.js';
import type { DataChannel } from './data-channel.js';
import type { SrvConnection } from './ftp-srv.js';

export interface LoggedInUser {
  readonly username: string;
  readonly profile: UserProfile;
  readonly storage: HomeStorage;
  readonly openedAt: Date;
}

export interface RunningTransfer {
  abort(): void;
  readonly done: Promise<void>;
  readonly describe: () => string;
}

export interface SessionHooks {
  /** Called once the session is logged in (counted, heartbeated, kickable). */
  loggedIn(session: FtpSession): void;
  closed(session: FtpSession, closing: Promise<void>): void;
}

/** Commands answered at once even while a transfer runs (ftp-srv's defect 7: it paused the control socket). */
const OUT_OF_BAND = new Set(['ABOR', 'STAT', 'NOOP']);

const sessions = new WeakMap<SrvConnection, FtpSession>();

/** The session behind an ftp-srv connection (command handlers are called with the connection). */
export function sessionOf(connection: SrvConnection): FtpSession | undefined {
  return sessions.get(connection);
}

/** One control connection: framing, ordering, replies and the state the commands share. */
export class FtpSession {
  readonly sessionId = randomUUID();
  readonly logger;
  socket: Socket;
  user: LoggedInUser | undefined;
  pendingUser: string | undefined;
  cwd = '/';
  transferType: 'binary' | 'ascii' = 'binary';
  restOffset = 0;
  renameFrom: string | undefined;
  data: DataChannel | undefined;
  transfer: RunningTransfer | undefined;
  /** PBSZ seen, PROT P chosen. */
  pbsz = false;
  protectData = false;
  private readonly framer = new LineFramer();
  private readonly queue: CommandLine[] = [];
  private pumping = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private closeReason: string = 'client_disconnected';
  private closed = false;

  constructor(
    readonly ctx: FtpContext,
    readonly connection: SrvConnection,
    readonly clientIp: string,
    readonly hooks: SessionHooks,
  ) {
    this.socket = connection.commandSocket;
    sessions.set(connection, this);
    this.logger = ctx.logger.child({ sessionId: this.sessionId, clientIp });
    this.attach(this.socket);
    this.socket.once('close', () => this.finish());
    this.touch();
  }

  get secure(): boolean {
    return this.socket instanceof TLSSocket;
  }

  get protocol(): 'ftp' | 'ftps' {
    return this.secure ? 'ftps' : 'ftp';
  }

  /** Single-line reply, or a multi-line one (RFC 959 §4.2) when `lines` has more than one entry. */
  reply(code: number, ...lines: string[]): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    const all = lines.length === 0 ? [''] : lines;
    const text = all.length === 1 ? `${code} ${all[0]}\r\n` : [`${code}-${all[0]}`, ...all.slice(1, -1).map((line) => ` ${line}`), `${code} ${all.at(-1)}`].join('\r\n') + '\r\n';
    this.socket.write(text);
  }

  /** Maps an error to its fixed reply; logs the real one. */
  replyError(error: unknown, context: string): void {
    const { code, text } = replyForError(error);
    this.logger.info({ err: error, context }, 'command refused');
    this.reply(code, text);
  }

  /** Replies (optionally) and closes the control connection. */
  close(code: number | undefined, text: string, reason: string): void {
    this.closeReason = reason;
    if (code !== undefined) this.reply(code, text);
    this.transfer?.abort();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  /** Switches the control connection to TLS (AUTH TLS, after the 234 reply). */
  upgradeToTls(): void {
    const context = this.ctx.tls;
    if (context === undefined) return;
    const raw = this.socket;
    raw.removeAllListeners('data');
    const secure = new TLSSocket(raw, { isServer: true, secureContext: context });
    secure.on('error', (error) => this.logger.info({ err: error }, 'TLS control connection failed'));
    secure.once('close', () => raw.destroy());
    this.socket = secure;
    this.connection.commandSocket = secure;
    this.attach(secure);
  }

  private attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  private onData(chunk: Buffer): void {
    for (const framed of this.framer.push(chunk)) {
      if (framed.kind === 'too_long') {
        this.reply(500, 'Command line too long.');
        continue;
      }
      const command = parseCommandLine(framed.text);
      if (this.transfer !== undefined && OUT_OF_BAND.has(command.directive)) void this.dispatch(command);
      else {
        this.queue.push(command);
        void this.pump();
      }
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) await this.dispatch(next);
    } finally {
      this.pumping = false;
    }
  }

  private async dispatch(command: CommandLine): Promise<void> {
    this.touch();
    if (this.closed) return;
    if (command.directive === 'PROXY') {
      this.ctx.metrics.proxyHeadersRejected.inc({ reason: 'untrusted_source' });
      return this.close(421, 'PROXY header from an untrusted address refused.', 'error');
    }
    if (!isWellFormedVerb(command.directive)) return this.reply(500, 'Syntax error, command unrecognized.');
    try {
      await this.connection.commands.handle({ directive: command.directive, arg: command.arg, flags: [], raw: `${command.directive} ${command.arg}` });
    } catch (error) {
      this.replyError(error, command.directive);
    }
    this.touch();
  }

  /** Restarts the idle clock; a running transfer keeps the session alive. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.transfer !== undefined) return this.touch();
      this.close(421, 'Idle timeout: closing control connection.', 'idle_timeout');
    }, this.ctx.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.transfer?.abort();
    this.data?.close();
    this.hooks.closed(this, this.report());
  }

  /** SessionClosed event and the session service's bookkeeping, once the control connection is gone. */
  private async report(): Promise<void> {
    const user = this.user;
    if (user === undefined) return;
    const closedAt = this.ctx.clock();
    this.ctx.events.emit(SessionClosed, {
      sessionId: this.sessionId,
      username: user.username,
      clientIp: this.clientIp,
      gateway: this.ctx.gateway,
      reason: this.closeReason,
      durationMs: Math.max(0, closedAt.getTime() - user.openedAt.getTime()),
      closedAt: closedAt.toISOString(),
    });
    await this.ctx.platform.close({ sessionId: this.sessionId, username: user.username, reason: this.closeReason }).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'session close not reported: the session service expires it');
    });
  }

  markQuit(): void {
    this.closeReason = 'quit';
  }
}
