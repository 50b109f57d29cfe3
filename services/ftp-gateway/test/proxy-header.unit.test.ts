import { describe, expect, it } from 'vitest';
import { parseProxyHeader } from '../src/domain/proxy-header.js';
import { proxyV2, SIG } from './proxy-v2.js';

describe('PROXY protocol', () => {
  it('a v2 header gives the client address and how many bytes it used', () => {
    const header = proxyV2([203, 0, 113, 7], 50123);
    const withData = Uint8Array.from([...header, ...new TextEncoder().encode('USER x\r\n')]);
    expect(parseProxyHeader(withData)).toEqual({ status: 'ok', consumed: header.length, client: { ip: '203.0.113.7', port: 50123 } });
  });

  it('a v2 LOCAL header (a health check) carries no client', () => {
    expect(parseProxyHeader(proxyV2([0, 0, 0, 0], 0, 'LOCAL'))).toMatchObject({ status: 'ok', client: undefined });
  });

  it('a v2 IPv6 header with an IPv4-mapped address gives the IPv4 address', () => {
    const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 9];
    const header = Uint8Array.from([...SIG, 0x21, 0x21, 0, 36, ...mapped, ...new Array<number>(16).fill(0), 0x13, 0x88, 0, 21]);
    expect(parseProxyHeader(header)).toMatchObject({ status: 'ok', client: { ip: '198.51.100.9', port: 5000 } });
  });

  it('a v1 line gives the client address', () => {
    expect(parseProxyHeader(new TextEncoder().encode('PROXY TCP4 192.0.2.1 10.0.0.1 40000 21\r\nUSER'))).toEqual({
      status: 'ok',
      consumed: 40,
      client: { ip: '192.0.2.1', port: 40000 },
    });
  });

  it('a header cut in two is incomplete until the rest arrives', () => {
    expect(parseProxyHeader(proxyV2([1, 2, 3, 4], 1).subarray(0, 10))).toEqual({ status: 'incomplete' });
    expect(parseProxyHeader(new TextEncoder().encode('PROXY TCP4 1.2.3.4'))).toEqual({ status: 'incomplete' });
  });

  it.each([
    ['an FTP command', 'USER alice\r\n'],
    ['a bad v1 address', 'PROXY TCP4 999.1.1.1 10.0.0.1 1 2\r\n'],
    ['a v1 line without CR', 'PROXY TCP4 1.2.3.4 10.0.0.1 1 2\n'],
    ['an endless v1 line', `PROXY ${'x'.repeat(200)}`],
  ])('%s is not a PROXY header', (_label, input) => {
    expect(parseProxyHeader(new TextEncoder().encode(input)).status).toBe('invalid');
  });
});
