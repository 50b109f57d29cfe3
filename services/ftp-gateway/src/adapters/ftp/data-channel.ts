import { connect as tcpConnect, type BlockList, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import { GatewayError } from '../../domain/errors.js';
import type { GatewayMetrics } from '../metrics.js';
import { readClientAddress } from './client-address.js';
import type { PassivePorts } from './passive-ports.js';

export interface DataSettings {
  readonly timeoutMs: number;
  /** Refuse data connections from another address than the control connection's client. */
  readonly checkAddress: boolean;
  readonly trustedProxies: BlockList | undefined;
  readonly metrics: GatewayMetrics;
  /** FTPS: refuse a data connection that does not resume the control connection's TLS session. */
  readonly requireTlsReuse: boolean;
}

/** A data connection prepared by PASV/EPSV/PORT/EPRT, opened by the next transfer command. */
export interface DataChannel {
  readonly mode: 'passive' | 'active';
  /** The data connection, TLS-wrapped when `tls` is given (PROT P). */
  open(tls: SecureContext | undefined): Promise<Duplex>;
  close(): void;
}

export async function openPassive(ports: PassivePorts, clientIp: string, settings: DataSettings): Promise<{ channel: DataChannel; port: number }> {
  const { server, port, release } = await ports.listen();
  let accepted: Socket | undefined;
  let waiter: ((socket: Socket) => void) | undefined;
  server.on('connection', (socket: Socket) => void admit(socket));
  const admit = async (socket: Socket) => {
    socket.on('error', () => undefined);
    // The last short segment of a file must not wait for an ACK (Nagle) before the FIN.
    socket.setNoDelay(true);
    if (accepted !== undefined) return refuse(socket, 'second_connection');
    const client = await readClientAddress(socket, settings.trustedProxies, settings.timeoutMs);
    if (!client.ok) return refuse(socket, 'bad_proxy_header');
    if (settings.checkAddress && client.ip !== clientIp) return refuse(socket, 'address_mismatch');
    if (accepted !== undefined) return refuse(socket, 'second_connection');
    accepted = socket;
    waiter?.(socket);
  };
  const refuse = (socket: Socket, reason: string) => {
    settings.metrics.refusedDataConnections.inc({ reason });
    socket.destroy();
  };
  const stop = (srv: Server) => {
    srv.close();
    release();
  };
  const timer = setTimeout(() => stop(server), settings.timeoutMs * 2);
  const channel: DataChannel = {
    mode: 'passive',
    open: async (tls) => {
      const socket = accepted ?? (await waitFor(new Promise<Socket>((resolve) => (waiter = resolve)), settings.timeoutMs));
      clearTimeout(timer);
      stop(server);
      return tls ? secure(socket, tls, settings) : socket;
    },
    close: () => {
      clearTimeout(timer);
      stop(server);
      accepted?.destroy();
    },
  };
  return { channel, port };
}

export function activeChannel(host: string, port: number, settings: DataSettings): DataChannel {
  let socket: Socket | undefined;
  return {
    mode: 'active',
    open: async (tls) => {
      const connecting = tcpConnect({ host, port, noDelay: true });
      socket = connecting;
      connecting.on('error', () => undefined);
      await waitFor(
        new Promise<void>((resolve, reject) => {
          connecting.once('connect', resolve);
          connecting.once('error', reject);
        }),
        settings.timeoutMs,
      );
      return tls ? secure(connecting, tls, settings) : connecting;
    },
    close: () => socket?.destroy(),
  };
}

async function secure(socket: Socket, context: SecureContext, settings: DataSettings): Promise<Duplex> {
  const tls = new TLSSocket(socket, { isServer: true, secureContext: context });
  tls.on('error', () => undefined);
  await waitFor(
    new Promise<void>((resolve, reject) => {
      tls.once('secure', resolve);
      tls.once('error', reject);
      tls.once('close', () => reject(new Error('closed during TLS handshake')));
    }),
    settings.timeoutMs,
  );
  if (settings.requireTlsReuse && !tls.isSessionReused()) {
    settings.metrics.refusedDataConnections.inc({ reason: 'tls_not_reused' });
    tls.destroy();
    throw new GatewayError('DATA_CONNECTION_FAILED', 'data connection did not resume the TLS session');
  }
  return tls;
}

async function waitFor<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new GatewayError('DATA_CONNECTION_FAILED', 'no data connection in time')), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw error instanceof GatewayError ? error : new GatewayError('DATA_CONNECTION_FAILED', 'data connection failed', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
