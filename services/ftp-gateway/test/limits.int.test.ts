import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamNames, type HealthEvent } from '@ferry/contracts';
import { getFreePort, startNats, type NatsServerHandle } from '@ferry/testing';
import { startPlatform, type Platform } from './platform.js';
import { startGateway, type Gateway } from './gateway-harness.js';
import { RawFtp, readAll } from './raw-ftp.js';

let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(nats.url, { alice: { password: 'alice-secret' } });
  gateway = await startGateway(nats.url, { GATEWAY_DATA_TIMEOUT: '500ms', FERRY_HEARTBEAT_INTERVAL: '200ms', GATEWAY_MAX_SESSIONS: '7' });
});

afterAll(async () => {
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
});

describe('limits', () => {
  it('a data connection that stalls mid-transfer times out: 426, and the session goes on', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const data = await ftp.epsv();
    expect((await ftp.command('STOR stalled.bin')).code).toBe(150);
    data.write(Buffer.alloc(100, 1));
    expect((await ftp.next(5_000)).code).toBe(426);
    expect((await ftp.command('NOOP')).code).toBe(200);
    data.destroy();
    ftp.close();
  });

  it('a PASV nobody connects to gives 425 on the next transfer after the data timeout', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect((await ftp.command('EPSV')).code).toBe(229);
    expect((await ftp.command('LIST')).code).toBe(150);
    expect((await ftp.next(5_000)).code).toBe(425);
    ftp.close();
  });

  it('heartbeats carry the gateway load', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    await expect
      .poll(
        async () => {
          const info = await platform.bus.jsm.streams.info(streamNames.health);
          const last = await platform.bus.jsm.streams.getMessage(streamNames.health, { last_by_subj: 'ferry.evt.health.heartbeat' }).catch(() => undefined);
          return info.state.messages > 0 ? last?.json<HealthEvent>().data : undefined;
        },
        { timeout: 10_000, interval: 200 },
      )
      .toMatchObject({ service: 'ftp-gateway', load: { sessions: 1, capacity: 7, activeTransfers: 0, eventBufferCapacity: 10_000 } });
    ftp.close();
  });
});

describe('connections that do not log in', () => {
  it('beyond twice GATEWAY_MAX_SESSIONS, new connections get 421 until some close', async () => {
    const connections: RawFtp[] = [];
    try {
      let refusedAt: number | undefined;
      for (let i = 0; i < 20 && refusedAt === undefined; i++) {
        const ftp = await RawFtp.open(gateway.ftpPort);
        connections.push(ftp);
        if ((await ftp.next()).code === 421) refusedAt = i;
      }
      // 7 sessions of capacity → 14 connections; earlier tests' connections may still be closing.
      expect(refusedAt).toBeGreaterThanOrEqual(10);
      expect(refusedAt).toBeLessThanOrEqual(14);
      connections.shift()!.close();
      await expect.poll(async () => (await RawFtp.open(gateway.ftpPort).then((ftp) => ftp.next().finally(() => ftp.close()))).code).toBe(220);
    } finally {
      connections.forEach((ftp) => ftp.close());
    }
  });
});

describe('passive port range', () => {
  it('a port of the range taken by another process is skipped: the allocator binds the next free one in the range (ftp-srv defect 6)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const first = (taken.address() as AddressInfo).port;
    const ranged = await startGateway(nats.url, { GATEWAY_PASSIVE_PORTS: `${first}-${Math.min(first + 50, 65535)}` });
    try {
      const ftp = await RawFtp.open(ranged.ftpPort);
      await ftp.login();
      const port = Number(/\|\|\|(\d+)\|/.exec((await ftp.command('EPSV')).text)?.[1]);
      expect(port).toBeGreaterThan(first);
      expect(port).toBeLessThanOrEqual(first + 50);
      ftp.close();
    } finally {
      await ranged.stop();
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('once every port of the range is taken PASV gets 425 and the exhaustion is counted; a finished transfer frees its port', async () => {
    const tiny = await startGateway(nats.url, { GATEWAY_PASSIVE_PORTS: String(await getFreePort()) });
    try {
      const sessions = await Promise.all([0, 1].map(async () => {
        const ftp = await RawFtp.open(tiny.ftpPort);
        await ftp.login();
        return ftp;
      }));
      const replies = [];
      for (const ftp of sessions) replies.push((await ftp.command('EPSV')).code);
      expect(replies).toEqual([229, 425]);
      const metrics = await (await fetch(`${tiny.running.opsUrl}/metrics`)).text();
      expect(metrics).toMatch(/ferry_gateway_passive_ports_exhausted_total\{[^}]*\} 1/);
      expect(metrics).toMatch(/ferry_gateway_passive_ports_in_use\{[^}]*\} 1/);
      // A finished listing frees its port for the next one.
      const first = sessions[0]!;
      const data = await first.epsv();
      const listing = readAll(data);
      await first.command('LIST');
      await first.next();
      await listing;
      expect((await sessions[1]!.command('EPSV')).code).toBe(229);
      sessions.forEach((ftp) => ftp.close());
    } finally {
      await tiny.stop();
    }
  });
});
