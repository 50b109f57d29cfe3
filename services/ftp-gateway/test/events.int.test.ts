import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { activity, type StoredEvent } from './activity.js';
import { startPlatform, type Platform } from './platform.js';
import { connectClient, startGateway, type Gateway } from './gateway-harness.js';
import { RawFtp } from './raw-ftp.js';

let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(nats.url, { alice: { password: 'alice-secret' } });
  gateway = await startGateway(nats.url);
});

afterAll(async () => {
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
});

/** The gateway's events about one session (auth's login events carry the same session id and are left out). */
const ofSession = (events: StoredEvent[], sessionId: string) => events.filter((event) => event.data['sessionId'] === sessionId && !event.type.startsWith('ferry.auth.'));

describe('events', () => {
  it('a session publishes opened, fs operations, transfer started/completed with every field, and closed', async () => {
    const client = await connectClient(gateway.ftpPort);
    await client.send('MKD docs');
    await client.uploadFrom(Readable.from([Buffer.alloc(1234, 1)]), 'docs/a.bin');
    await client.rename('docs/a.bin', 'docs/b.bin');
    await client.remove('docs/b.bin');
    await client.send('RMD docs');
    await client.send('QUIT').catch(() => undefined);
    client.close();
    let mine: StoredEvent[] = [];
    let all: StoredEvent[] = [];
    await expect
      .poll(
        async () => {
          all = await activity(platform.bus);
          const opened = all.find((event) => event.type === 'ferry.session.opened.v1' && event.data['username'] === 'alice');
          mine = opened ? ofSession(all, opened.data['sessionId'] as string) : [];
          return mine.map((event) => event.type);
        },
        { timeout: 10_000 },
      )
      .toEqual([
        'ferry.session.opened.v1',
        'ferry.fs.mkdir.v1',
        'ferry.transfer.started.v1',
        'ferry.transfer.completed.v1',
        'ferry.fs.rename.v1',
        'ferry.fs.delete.v1',
        'ferry.fs.rmdir.v1',
        'ferry.session.closed.v1',
      ]);
    // The auth service recorded the same login under the same session id.
    const sessionId = mine[0]!.data['sessionId'];
    expect(all.filter((event) => event.type.startsWith('ferry.auth.') && event.data['sessionId'] === sessionId).map((event) => event.type)).toEqual(['ferry.auth.login.succeeded.v1']);
    const completed = mine.find((event) => event.type === 'ferry.transfer.completed.v1')!.data;
    expect(completed).toMatchObject({
      username: 'alice',
      clientIp: '127.0.0.1',
      gateway: gateway.gatewayId,
      protocol: 'ftp',
      mode: 'passive',
      direction: 'upload',
      path: '/docs/a.bin',
      offset: 0,
      bytes: 1234,
      status: 'completed',
      fileSize: 1234,
    });
    expect(Object.keys(completed).sort()).toEqual(
      ['bytes', 'clientIp', 'direction', 'durationMs', 'endedAt', 'fileSize', 'gateway', 'mode', 'offset', 'path', 'protocol', 'sessionId', 'startedAt', 'status', 'transferId', 'username'].sort(),
    );
    expect(mine.find((event) => event.type === 'ferry.fs.rename.v1')!.data).toMatchObject({ from: '/docs/a.bin', to: '/docs/b.bin', isDirectory: false });
    expect(mine.find((event) => event.type === 'ferry.session.closed.v1')!.data).toMatchObject({ reason: 'quit' });
  });

  it('an aborted upload that moved bytes is published as aborted and partial', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const data = await ftp.epsv();
    await ftp.command('STOR cut.bin');
    data.write(Buffer.alloc(5000, 3));
    await expect.poll(async () => (await ftp.command('STAT')).text).toContain('(5000 bytes)');
    ftp.write('ABOR\r\n');
    await ftp.next();
    await ftp.next();
    ftp.close();
    await expect
      .poll(async () => (await activity(platform.bus)).find((event) => event.type === 'ferry.transfer.aborted.v1' && event.data['path'] === '/cut.bin')?.data, { timeout: 10_000 })
      .toMatchObject({ status: 'aborted', partial: true, bytes: 5000 });
  });

  it('a download the client cuts off is published as failed and partial, and the client gets 426', async () => {
    await mkdir(join(gateway.storageRoot, 'alice'), { recursive: true });
    await writeFile(join(gateway.storageRoot, 'alice', 'cut-download.bin'), Buffer.alloc(32 * 1024 * 1024, 1));
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const data = await ftp.epsv();
    let received = 0;
    data.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > 100_000) data.destroy();
    });
    expect((await ftp.command('RETR cut-download.bin')).code).toBe(150);
    expect((await ftp.next(10_000)).code).toBe(426);
    ftp.close();
    await expect
      .poll(async () => (await activity(platform.bus)).find((event) => event.type.startsWith('ferry.transfer.') && event.type !== 'ferry.transfer.started.v1' && event.data['path'] === '/cut-download.bin')?.data, { timeout: 10_000 })
      .toMatchObject({ status: 'failed', partial: true, direction: 'download', error: { code: 'TRANSFER_FAILED', message: '426 Connection closed; transfer aborted.' } });
  });

  it('a client that just disconnects is reported closed with reason client_disconnected', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const sessionId = await platform.lastSessionId('alice');
    ftp.close();
    await expect.poll(() => platform.closedReason(sessionId), { timeout: 10_000 }).toBe('client_disconnected');
  });

  it('a refused login is published with the attempted name and the reason', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    await ftp.command('USER nobody-here');
    await ftp.command('PASS nope');
    ftp.close();
    await expect
      .poll(async () => (await activity(platform.bus)).find((event) => event.type === 'ferry.session.refused.v1' && event.data['username'] === 'nobody-here')?.data, { timeout: 10_000 })
      .toMatchObject({ reason: 'login_refused', clientIp: '127.0.0.1', gateway: gateway.gatewayId });
  });

  it('while NATS is away transfers complete; their events arrive once it is back, each exactly once', async () => {
    const clients = await Promise.all([connectClient(gateway.ftpPort), connectClient(gateway.ftpPort)]);
    await nats.pause();
    try {
      for (const [i, client] of clients.entries()) {
        for (let n = 0; n < 3; n++) await client.uploadFrom(Readable.from([Buffer.alloc(2000 + n, i)]), `offline-${i}-${n}.bin`);
      }
    } finally {
      await nats.resume();
    }
    clients.forEach((client) => client.close());
    await expect
      .poll(async () => (await activity(platform.bus)).filter((event) => event.type === 'ferry.transfer.completed.v1' && String(event.data['path']).startsWith('/offline-')).length, {
        timeout: 30_000,
        interval: 500,
      })
      .toBe(6);
    const all = await activity(platform.bus);
    expect(new Set(all.map((event) => event.id)).size).toBe(all.length);
    const started = all.filter((event) => event.type === 'ferry.transfer.started.v1' && String(event.data['path']).startsWith('/offline-'));
    expect(started).toHaveLength(6);
  });
});

describe('a full event buffer', () => {
  it('refuses new logins with 421 and counts them, then accepts again once NATS took the events', async () => {
    const small = await startGateway(nats.url, { GATEWAY_EVENT_BUFFER: '3' });
    try {
      // NATS was restarted by the test before: wait until the auth and session services answer again.
      await expect.poll(async () => (await connectClient(small.ftpPort).then((c) => (c.close(), true)).catch(() => false)), { timeout: 20_000, interval: 300 }).toBe(true);
      const client = await connectClient(small.ftpPort);
      await nats.pause();
      try {
        for (const name of ['d1', 'd2', 'd3', 'd4']) await client.send(`MKD ${name}`);
        const ftp = await RawFtp.open(small.ftpPort);
        await ftp.next();
        await ftp.command('USER alice');
        expect(await ftp.command('PASS alice-secret')).toEqual({ code: 421, text: '421 Service not available, try again later.' });
        const metrics = await (await fetch(`${small.running.opsUrl}/metrics`)).text();
        expect(metrics).toMatch(/ferry_gateway_logins_total\{result="event_buffer_full"[^}]*\} 1/);
        expect(metrics).toMatch(/ferry_gateway_events_refused_total\{[^}]*\} [1-9]/);
      } finally {
        await nats.resume();
      }
      client.close();
      await expect.poll(async () => (await connectClient(small.ftpPort).then((c) => (c.close(), true)).catch(() => false)), { timeout: 20_000, interval: 500 }).toBe(true);
    } finally {
      await small.stop();
    }
  });
});
