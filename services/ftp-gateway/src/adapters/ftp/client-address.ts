import { isIP, type BlockList, type Socket } from 'node:net';
import { parseProxyHeader } from '../../domain/proxy-header.js';

export type ClientAddress =
  /** `healthCheck`: a PROXY LOCAL (v2) / UNKNOWN (v1) header, which HAProxy sends for its own health checks. */
  | { readonly ok: true; readonly ip: string; readonly viaProxy: boolean; readonly healthCheck: boolean }
  | { readonly ok: false; readonly reason: 'bad_header' | 'timeout' | 'closed' };

/** "::ffff:10.0.0.1" → "10.0.0.1": the rest of Ferry sees plain IPv4. */
export function plainIp(address: string | undefined): string {
  if (address === undefined) return '0.0.0.0';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

export function isTrusted(trusted: BlockList | undefined, ip: string): boolean {
  if (trusted === undefined) return false;
  return trusted.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The real client of a new connection. From a trusted proxy a PROXY v1/v2
 * header is required and read (the bytes after it are pushed back onto the
 * socket); from anyone else the peer address is the client and nothing is read.
 */
export function readClientAddress(socket: Socket, trusted: BlockList | undefined, timeoutMs: number): Promise<ClientAddress> {
  const peer = plainIp(socket.remoteAddress);
  if (!isTrusted(trusted, peer)) return Promise.resolve({ ok: true, ip: peer, viaProxy: false, healthCheck: false });
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const finish = (result: ClientAddress, rest?: Buffer) => {
      clearTimeout(timer);
      socket.pause();
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      if (rest !== undefined && rest.length > 0) socket.unshift(rest);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const parsed = parseProxyHeader(buffered);
      if (parsed.status === 'incomplete') return;
      if (parsed.status === 'invalid') return finish({ ok: false, reason: 'bad_header' });
      finish({ ok: true, ip: parsed.client ? plainIp(parsed.client.ip) : peer, viaProxy: parsed.client !== undefined, healthCheck: parsed.client === undefined }, buffered.subarray(parsed.consumed));
    };
    const onClose = () => finish({ ok: false, reason: 'closed' });
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}
