/**
 * PROXY protocol v1 (text) and v2 (binary) headers, as HAProxy sends them
 * (https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt). Pure bytes in,
 * the original client address out.
 */

export type ProxyParse =
  | { readonly status: 'incomplete' }
  | { readonly status: 'invalid'; readonly reason: string }
  /** `client` is undefined for LOCAL (v2) / UNKNOWN (v1): a health check from the proxy itself. */
  | { readonly status: 'ok'; readonly consumed: number; readonly client: { readonly ip: string; readonly port: number } | undefined };

const V2_SIGNATURE = Uint8Array.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = 'PROXY ';
const V1_MAX = 107;

export function parseProxyHeader(bytes: Uint8Array): ProxyParse {
  if (bytes.length === 0) return { status: 'incomplete' };
  if (bytes[0] === 0x0d) return parseV2(bytes);
  if (bytes[0] === 0x50) return parseV1(bytes);
  return { status: 'invalid', reason: 'no PROXY header' };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): 'yes' | 'no' | 'maybe' {
  const n = Math.min(bytes.length, prefix.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== prefix[i]) return 'no';
  return bytes.length >= prefix.length ? 'yes' : 'maybe';
}

function parseV1(bytes: Uint8Array): ProxyParse {
  const prefix = startsWith(bytes, new TextEncoder().encode(V1_PREFIX));
  if (prefix === 'no') return { status: 'invalid', reason: 'no PROXY header' };
  const end = bytes.indexOf(0x0a);
  if (end === -1) return bytes.length > V1_MAX ? { status: 'invalid', reason: 'PROXY v1 line too long' } : { status: 'incomplete' };
  if (end + 1 > V1_MAX || bytes[end - 1] !== 0x0d) return { status: 'invalid', reason: 'malformed PROXY v1 line' };
  const line = new TextDecoder().decode(bytes.subarray(0, end - 1));
  const parts = line.split(' ');
  if (parts[1] === 'UNKNOWN') return { status: 'ok', consumed: end + 1, client: undefined };
  const [, family, srcIp, , srcPort] = parts;
  if (parts.length !== 6 || (family !== 'TCP4' && family !== 'TCP6')) return { status: 'invalid', reason: 'malformed PROXY v1 line' };
  const port = Number(srcPort);
  const ipOk = family === 'TCP4' ? isIpv4(srcIp ?? '') : /^[0-9a-fA-F:.]+$/.test(srcIp ?? '');
  if (!ipOk || !Number.isInteger(port) || port < 0 || port > 65535) return { status: 'invalid', reason: 'malformed PROXY v1 address' };
  return { status: 'ok', consumed: end + 1, client: { ip: srcIp ?? '', port } };
}

function parseV2(bytes: Uint8Array): ProxyParse {
  const signature = startsWith(bytes, V2_SIGNATURE);
  if (signature === 'no') return { status: 'invalid', reason: 'no PROXY header' };
  if (signature === 'maybe' || bytes.length < 16) return { status: 'incomplete' };
  const versionCommand = bytes[12] ?? 0;
  const family = bytes[13] ?? 0;
  const length = ((bytes[14] ?? 0) << 8) | (bytes[15] ?? 0);
  if (versionCommand >> 4 !== 2) return { status: 'invalid', reason: 'unsupported PROXY version' };
  if (bytes.length < 16 + length) return { status: 'incomplete' };
  const consumed = 16 + length;
  const command = versionCommand & 0x0f;
  if (command === 0) return { status: 'ok', consumed, client: undefined };
  if (command !== 1) return { status: 'invalid', reason: 'unsupported PROXY command' };
  const body = bytes.subarray(16, consumed);
  if (family === 0x11 && length >= 12) return { status: 'ok', consumed, client: { ip: Array.from(body.subarray(0, 4)).join('.'), port: readPort(body, 8) } };
  if (family === 0x21 && length >= 36) return { status: 'ok', consumed, client: { ip: ipv6Text(body.subarray(0, 16)), port: readPort(body, 32) } };
  if (family === 0x00) return { status: 'ok', consumed, client: undefined };
  return { status: 'invalid', reason: 'unsupported PROXY address family' };
}

function readPort(body: Uint8Array, at: number): number {
  return ((body[at] ?? 0) << 8) | (body[at + 1] ?? 0);
}

function ipv6Text(raw: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((raw[i] ?? 0) << 8) | (raw[i + 1] ?? 0)).toString(16));
  const text = groups.join(':');
  // An IPv4-mapped address is what the rest of Ferry calls an IPv4 client.
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(text);
  if (mapped) {
    const hi = parseInt(mapped[1] ?? '0', 16);
    const lo = parseInt(mapped[2] ?? '0', 16);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return text;
}

function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}
