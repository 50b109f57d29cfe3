import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';
import type { Logger } from '@ferry/telemetry';

/**
 * The only file that touches ftp-srv's internals. ftp-srv 4.6.3's .d.ts is
 * incomplete, so the parts used here are typed locally.
 */

export interface SrvCommand {
  readonly directive: string;
  readonly arg: string | null;
  readonly flags: string[];
  readonly raw: string;
}

export interface SrvConnection extends EventEmitter {
  readonly id: string;
  commandSocket: Socket;
  authenticated?: boolean;
  readonly commands: { handle(command: SrvCommand): PromiseLike<unknown> };
  connector: { end(): void };
}

interface SrvServer extends EventEmitter {
  readonly server: Server;
  close(): PromiseLike<unknown>;
}

export type CommandHandler = (connection: SrvConnection, arg: string) => Promise<void>;

export interface CommandSpec {
  readonly handler: CommandHandler;
  readonly syntax: string;
  readonly description: string;
  /** Allowed before login. */
  readonly noAuth?: boolean;
}

const require = createRequire(import.meta.url);
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

/** ftp-srv's own handlers that are kept (correct as they are): everything else is ours or gone. */
const KEPT = new Set(['NOOP', 'SYST', 'STRU', 'MODE', 'ALLO']);

/**
 * Replaces ftp-srv's command registry with ours (plus the few handlers of its
 * own that are right). The registry is module state; installing is idempotent.
 */
export function installCommands(specs: ReadonlyMap<string, CommandSpec>): void {
  const registry = require('ftp-srv/src/commands/registry.js') as Record<string, unknown>;
  for (const directive of Object.keys(registry)) if (!KEPT.has(directive) && !specs.has(directive)) delete registry[directive];
  for (const [directive, spec] of specs) {
    registry[directive] = {
      directive,
      syntax: spec.syntax,
      description: spec.description,
      flags: spec.noAuth ? { no_auth: true } : {},
      handler: function (this: SrvConnection, { command }: { command: SrvCommand }) {
        return spec.handler(this, command.arg ?? '');
      },
    };
  }
}

export function supportedDirectives(): string[] {
  const registry = require('ftp-srv/src/commands/registry.js') as Record<string, unknown>;
  return Object.keys(registry).sort();
}

/**
 * An ftp-srv server whose net.Server is never listened on: the gateway owns the
 * listening socket (PROXY protocol, drain) and hands accepted sockets to
 * `adopt`. ftp-srv 4.6.3 installs SIGTERM/SIGINT/SIGQUIT handlers that call
 * process.exit(0) (it has no option to turn that off): they are removed here.
 */
export function createSrv(logger: Logger, onConnection: (connection: SrvConnection, socket: Socket) => void): { adopt(socket: Socket): void; close(): Promise<void> } {
  const { FtpSrv } = require('ftp-srv') as { FtpSrv: new (options: Record<string, unknown>) => SrvServer };
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  // ftp-srv logs every client reset as an error; the gateway reports what matters itself, so its log shows only at debug.
  const srvLog = logger.child({ component: 'ftp-srv' }, { level: logger.isLevelEnabled('debug') ? logger.level : 'fatal' });
  const srv = new FtpSrv({ log: srvLog, url: 'ftp://127.0.0.1:0', anonymous: false, greeting: null, tls: false });
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
  }
  srv.on('connect', ({ connection }: { connection: SrvConnection }) => {
    // ftp-srv's own reader splits each TCP chunk on CRLF (defect 1) and strips quotes (defect 3): ours replaces it.
    connection.commandSocket.removeAllListeners('data');
    onConnection(connection, connection.commandSocket);
  });
  srv.on('client-error', () => undefined);
  return {
    adopt: (socket) => {
      socket.pause();
      srv.server.emit('connection', socket);
    },
    close: async () => {
      await srv.close();
    },
  };
}
