import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { activity } from './activity.js';
import { startPlatform, type Platform } from './platform.js';
import { startGateway, type Gateway } from './gateway-harness.js';
import { proxyV2 } from './proxy-v2.js';
import { RawFtp, readAll } from './raw-ftp.js';

let nats: NatsServerHandle;
let platform: Platform;
let behindProxy: Gateway;
let direct: Gateway;

const CLIENT: [number, number, number, number] = [203, 0, 113, 7];

async function dataConnection(port: number, header?: Uint8Array, localAddress?: string): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  if (header) socket.write(header);
  return socket;
}

const epsvPort = async (ftp: RawFtp) => Number(/\|\|\|(\d+)\|/.exec((await ftp.command('EPSV')).text)?.[1]);
const metrics = async (gateway: Gateway) => (await fetch(`${gateway.running.opsUrl}/metrics`)).text();

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(nats.url, { alice: { password: 'alice-secret' } });
  behindProxy = await startGateway(nats.url, { GATEWAY_PROXY_TRUSTED_CIDRS: '127.0.0.1/32', GATEWAY_PUBLIC_ADDRESS: '198.51.100.20' });
  direct = await startGateway(nats.url, { GATEWAY_PROXY_TRUSTED_CIDRS: '10.0.0.0/8' });
});

afterAll(async () => {
  await behindProxy?.stop();
  await direct?.stop();
  await platform?.stop();
  await nats?.stop();
});

describe('PROXY protocol v2 from a trusted proxy', () => {
  it('the client address from the header is what auth and the events see', async () => {
    const ftp = await RawFtp.open(behindProxy.ftpPort, Buffer.from(proxyV2(CLIENT, 40001)));
    await ftp.login();
    await expect.poll(async () => (await platform.logins()).at(-1), { timeout: 10_000 }).toEqual({ username: 'alice', clientIp: '203.0.113.7' });
    const port = await epsvPort(ftp);
    const data = await dataConnection(port, proxyV2(CLIENT, 40002));
    expect((await ftp.command('STOR via-proxy.txt')).code).toBe(150);
    data.end('through haproxy');
    expect((await ftp.next()).code).toBe(226);
    ftp.close();
    await expect
      .poll(async () => (await activity(platform.bus)).find((event) => event.type === 'ferry.transfer.completed.v1' && event.data['path'] === '/via-proxy.txt')?.data, { timeout: 10_000 })
      .toMatchObject({ clientIp: '203.0.113.7', bytes: 15 });
  });

  it('a data connection from another client address is refused, and the right one still gets through', async () => {
    const ftp = await RawFtp.open(behindProxy.ftpPort, Buffer.from(proxyV2(CLIENT, 40003)));
    await ftp.login();
    const port = await epsvPort(ftp);
    const thief = await dataConnection(port, proxyV2([198, 51, 100, 1], 40004));
    const stolen = readAll(thief);
    await stolen;
    expect(thief.destroyed).toBe(true);
    expect(await metrics(behindProxy)).toMatch(/ferry_gateway_refused_data_connections_total\{reason="address_mismatch"[^}]*\} 1/);
    const owner = await dataConnection(port, proxyV2(CLIENT, 40005));
    expect((await ftp.command('STOR owned.txt')).code).toBe(150);
    owner.end('mine');
    expect((await ftp.next()).code).toBe(226);
    ftp.close();
  });

  it('a connection from the trusted proxy without a PROXY header is dropped', async () => {
    const ftp = await RawFtp.open(behindProxy.ftpPort, Buffer.from('USER alice\r\n'));
    await expect.poll(() => ftp.closed, { timeout: 10_000 }).toBe(true);
    expect(await metrics(behindProxy)).toMatch(/ferry_gateway_proxy_headers_rejected_total\{reason="bad_header"/);
  });

  it('PASV advertises GATEWAY_PUBLIC_ADDRESS (HAProxy\'s address), not the gateway\'s own', async () => {
    const ftp = await RawFtp.open(behindProxy.ftpPort, Buffer.from(proxyV2(CLIENT, 40010)));
    await ftp.login();
    expect((await ftp.command('PASV')).text).toMatch(/^227 Entering Passive Mode \(198,51,100,20,\d+,\d+\)\.$/);
    ftp.close();
  });

  it('a PROXY LOCAL header (HAProxy health check: 220, QUIT, 221) is answered without a session', async () => {
    const check = await RawFtp.open(behindProxy.ftpPort, Buffer.from(proxyV2([0, 0, 0, 0], 0, 'LOCAL')));
    expect((await check.next()).code).toBe(220);
    expect((await check.command('QUIT')).code).toBe(221);
    await expect.poll(() => check.closed).toBe(true);
  });

  it('a PROXY v1 header works too', async () => {
    const ftp = await RawFtp.open(behindProxy.ftpPort, Buffer.from('PROXY TCP4 192.0.2.44 127.0.0.1 40100 21\r\n'));
    await ftp.login();
    await expect.poll(async () => (await platform.logins()).at(-1), { timeout: 10_000 }).toEqual({ username: 'alice', clientIp: '192.0.2.44' });
    ftp.close();
  });
});

describe('PROXY protocol from an untrusted source', () => {
  it('is rejected with 421 and the connection closed; the claimed address is never used', async () => {
    const ftp = await RawFtp.open(direct.ftpPort, Buffer.from('PROXY TCP4 192.0.2.99 127.0.0.1 40100 21\r\n'));
    await ftp.next();
    expect((await ftp.next()).code).toBe(421);
    await expect.poll(() => ftp.closed).toBe(true);
    expect((await platform.logins()).some((login) => login.clientIp === '192.0.2.99')).toBe(false);
    expect(await metrics(direct)).toMatch(/ferry_gateway_proxy_headers_rejected_total\{reason="untrusted_source"/);
  });

  it('a direct data connection from another address than the control client is refused', async () => {
    const ftp = await RawFtp.open(direct.ftpPort);
    await ftp.login();
    const port = await epsvPort(ftp);
    const other = await dataConnection(port, undefined, '127.0.0.2');
    await readAll(other);
    expect(await metrics(direct)).toMatch(/ferry_gateway_refused_data_connections_total\{reason="address_mismatch"[^}]*\} 1/);
    ftp.close();
  });

  it('PORT to another address than the client is refused (no FTP bounce)', async () => {
    const ftp = await RawFtp.open(direct.ftpPort);
    await ftp.login();
    expect((await ftp.command('PORT 10,0,0,1,4,1')).code).toBe(500);
    expect((await ftp.command('EPRT |1|10.0.0.1|1025|')).code).toBe(500);
    expect((await ftp.command('PORT 127,0,0,1,0,21')).code).toBe(500);
    ftp.close();
  });
});
