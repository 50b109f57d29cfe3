/** The 12-byte PROXY v2 signature. */
export const SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/** A PROXY v2 TCP4 header as HAProxy's `send-proxy-v2` writes it. */
export function proxyV2(ip: readonly [number, number, number, number], port: number, command: 'PROXY' | 'LOCAL' = 'PROXY'): Uint8Array {
  return Uint8Array.from([...SIG, command === 'PROXY' ? 0x21 : 0x20, 0x11, 0, 12, ...ip, 127, 0, 0, 1, port >> 8, port & 0xff, 0, 21]);
}
