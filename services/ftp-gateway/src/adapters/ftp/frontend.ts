import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { commandSpecs } from './commands.js';
import { readClientAddress } from './client-address.js';
import type { AdmissionRefusal, FtpContext } from './context.js';
import { createSrv, installCommands, type SrvConnection } from './ftp-srv.js';
import { FtpSession, type SessionHooks } from './session.js';

export type FtpSettings = Omit<FtpContext, 'admission'>;

/**
 * HAProxy's health check (PROXY LOCAL): the greeting, then 221 to its QUIT, as a
 * real session would answer, but without one (and without ftp-srv's reset logs).
 */
function answerHealthCheck(socket: Socket, draining: boolean): void {
  setTimeout(() => socket.destroy(), 5_000).unref();
  if (draining) {
    socket.end(UNAVAILABLE);
    return;
  }
  socket.write('220 Ready.\r\n');
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    if (!received.includes('\n')) return;
    socket.end(/^QUIT\b/i.test(received) ? '221 Goodbye.\r\n' : '530 Please login with USER and PASS.\r\n');
  });
  socket.resume();
}

const PROXY_HEADER_TIMEOUT_MS = 5_000;
const UNAVAILABLE = '421 Service not available, closing control connection.\r\n';

/**
 * The gateway's FTP front door: owns the listening socket (PROXY protocol,
 * refusal while draining), hands each connection to ftp-srv, and keeps the
 * sessions (for heartbeats, kicks, drain and load).
 */
export class FtpFrontend {
  private readonly server: Server;
  private readonly srv;
  private readonly clientIps = new WeakMap<Socket, string>();
  private readonly all = new Set<FtpSession>();
  private readonly loggedIn = new Map<string, FtpSession>();
  private readonly closing = new Set<Promise<void>>();
  private readonly sockets = new Set<Socket>();
  private draining = false;
  private drainAnnounced = false;
  readonly ctx: FtpContext;

  private constructor(
    settings: FtpSettings,
    private readonly maxSessions: number,
  ) {
    this.ctx = { ...settings, admission: () => this.admission() };
    installCommands(commandSpecs());
    this.srv = createSrv(settings.logger, (connection, socket) => this.onConnection(connection, socket));
    this.server = createServer({ pauseOnConnect: true }, (socket) => void this.accept(socket));
  }

  static async start(settings: FtpSettings, listen: { host: string; port: number; maxSessions: number }): Promise<FtpFrontend> {
    const frontend = new FtpFrontend(settings, listen.maxSessions);
    await new Promise<void>((resolve, reject) => {
      frontend.server.once('error', reject);
      frontend.server.listen({ host: listen.host, port: listen.port }, () => {
        frontend.server.removeListener('error', reject);
        resolve();
      });
    });
    return frontend;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** True from the drain notice on: what the agent check tells HAProxy, while logins may still be accepted. */
  get isLeaving(): boolean {
    return this.drainAnnounced || this.draining;
  }

  get sessionCount(): number {
    return this.loggedIn.size;
  }

  get activeTransfers(): number {
    let count = 0;
    for (const session of this.all) if (session.transfer !== undefined) count += 1;
    return count;
  }

  session(sessionId: string): FtpSession | undefined {
    return this.loggedIn.get(sessionId);
  }

  sessionIds(): string[] {
    return [...this.loggedIn.keys()];
  }

  /** The notice before a drain: HAProxy is told (agent check) to stop sending clients, who are still welcome meanwhile. */
  announceDrain(): void {
    this.drainAnnounced = true;
  }

  /** No new sessions from now on: new connections and logins get 421. */
  startDrain(): void {
    this.draining = true;
  }

  kick(sessionId: string, reason: string): boolean {
    const session = this.loggedIn.get(sessionId);
    if (session === undefined) return false;
    session.close(421, 'Session closed by the administrator.', reason);
    return true;
  }

  /** Closes every session (421) but keeps listening: the end of a drain. */
  closeSessions(reason: 'drain' | 'gateway_stopped'): void {
    for (const session of this.all) session.close(421, 'Service not available, closing control connection.', reason);
  }

  /** Resolves when no transfer runs, or after graceMs. */
  async waitForTransfers(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.activeTransfers > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  /** Closes every session (421), stops listening, and waits for the sessions' close reports. */
  async close(reason: 'gateway_stopped' | 'drain'): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.closeSessions(reason);
    const deadline = Date.now() + 5_000;
    while (this.all.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await Promise.allSettled([...this.closing]);
    await this.srv.close();
  }

  private admission(): AdmissionRefusal | undefined {
    if (this.draining) return 'draining';
    if (this.ctx.events.isFull()) return 'event_buffer_full';
    if (this.loggedIn.size >= this.maxSessions) return 'capacity';
    return undefined;
  }

  private async accept(socket: Socket): Promise<void> {
    socket.on('error', () => undefined);
    // Replies are small and each waits for the last to be acknowledged under Nagle: with the
    // client's delayed ACK, every 226 after a 150 would wait ~40 ms (issue 7: 64 KiB files).
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const client = await readClientAddress(socket, this.ctx.trustedProxies, PROXY_HEADER_TIMEOUT_MS);
    if (!client.ok) {
      this.ctx.metrics.proxyHeadersRejected.inc({ reason: client.reason });
      socket.destroy();
      return;
    }
    if (client.healthCheck) return answerHealthCheck(socket, this.draining);
    // Connections that never log in must not exhaust the gateway: at most twice the session capacity at once.
    if (this.draining || this.all.size >= this.maxSessions * 2) {
      socket.end(UNAVAILABLE);
      setTimeout(() => socket.destroy(), 1_000).unref();
      return;
    }
    this.clientIps.set(socket, client.ip);
    this.srv.adopt(socket);
  }

  private onConnection(connection: SrvConnection, socket: Socket): void {
    const hooks: SessionHooks = {
      loggedIn: (session) => {
        this.loggedIn.set(session.sessionId, session);
        this.ctx.metrics.sessions.set(this.loggedIn.size);
      },
      closed: (session, closing) => {
        this.all.delete(session);
        this.loggedIn.delete(session.sessionId);
        this.ctx.metrics.sessions.set(this.loggedIn.size);
        this.closing.add(closing);
        void closing.finally(() => this.closing.delete(closing));
      },
    };
    this.all.add(new FtpSession(this.ctx, connection, this.clientIps.get(socket) ?? '0.0.0.0', hooks));
  }
}
