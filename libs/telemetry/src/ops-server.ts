import { isIP, type AddressInfo } from 'node:net';
import { fastify } from 'fastify';
import { opsRoutes, type OpsRoutesOptions } from './ops-routes.js';

export interface OpsServerOptions extends OpsRoutesOptions {
  /** Bind address; 127.0.0.1 keeps metrics off the public network. */
  readonly host: string;
  /** 0 picks a free port; the chosen one is in the result. */
  readonly port: number;
}

export interface OpsServer {
  /** Base URL with the real port, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function baseUrl(host: string, port: number): string {
  return isIP(host) === 6 ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** The listening port, which differs from the requested one when that was 0. */
function boundPort(address: AddressInfo | string | null): number {
  if (address === null || typeof address === 'string') {
    throw new Error(`ops server is not listening on a TCP port (address: ${String(address)})`);
  }
  return address.port;
}

/**
 * A small HTTP server for /healthz, /readyz and /metrics, separate from any
 * public API so probes and scrapes keep working when that API is saturated.
 */
export async function startOpsServer({ host, port, ...routes }: OpsServerOptions): Promise<OpsServer> {
  // fastify's own request logging would log every probe and scrape; routes log through ours.
  const app = fastify({ logger: false });
  await app.register(opsRoutes, routes);
  await app.listen({ host, port });
  const actualPort = boundPort(app.server.address());
  const url = baseUrl(host, actualPort);
  routes.logger.info({ url }, 'ops server listening');
  let closing: Promise<void> | undefined;
  return { url, port: actualPort, close: () => (closing ??= app.close()) };
}
