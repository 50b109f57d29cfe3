import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '../src/index.js';
import { connectOutcome, firstLine, getJson, jetstreamRequest, type Varz } from './helpers.js';

async function jetstreamIsReady(nats: NatsServerHandle): Promise<void> {
  const health = await fetch(`${nats.monitorUrl}/healthz`);
  expect(health.status).toBe(200);
  const info = await jetstreamRequest(nats.port, '$JS.API.INFO', {});
  expect(info['type']).toBe('io.nats.jetstream.api.v1.account_info_response');
}

describe('startNats', () => {
  let nats: NatsServerHandle;

  beforeAll(async () => {
    nats = await startNats();
  });

  afterAll(async () => {
    await nats.stop();
  });

  it('starts with JetStream on loopback and reports its monitor config on /varz', async () => {
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    expect(nats.monitorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(nats.pid).toBeGreaterThan(0);
    const varz = await getJson<Varz>(`${nats.monitorUrl}/varz`);
    expect(varz.port).toBe(nats.port);
    expect(varz.jetstream?.config?.store_dir).toBe(join(nats.storeDir, 'jetstream'));
  });

  it('greets a raw TCP client with an INFO line', async () => {
    const line = await firstLine(nats.port);
    expect(line.startsWith('INFO {')).toBe(true);
    const info = JSON.parse(line.slice('INFO '.length));
    expect(info.jetstream).toBe(true);
    expect(info.port).toBe(nats.port);
  });

  it('refuses connections while paused and resumes on the same port with the same store', async () => {
    const created = await jetstreamRequest(nats.port, '$JS.API.STREAM.CREATE.KEEP', { name: 'KEEP', subjects: ['keep.>'] });
    expect(created['error']).toBeUndefined();
    const { port, storeDir } = nats;
    const firstPid = nats.pid;

    await nats.pause();
    expect(await connectOutcome(port)).toBe('ECONNREFUSED');
    expect(existsSync(storeDir)).toBe(true);

    await nats.resume();
    expect(nats.port).toBe(port);
    expect(nats.storeDir).toBe(storeDir);
    expect(nats.pid).not.toBe(firstPid);
    await jetstreamIsReady(nats);
    const stream = await jetstreamRequest(nats.port, '$JS.API.STREAM.INFO.KEEP', {});
    expect((stream['config'] as { name: string }).name).toBe('KEEP');
  });

  it('resumes with its data after being killed like a crash', async () => {
    const port = nats.port;
    await nats.kill();
    expect(await connectOutcome(port)).toBe('ECONNREFUSED');
    await nats.resume();
    await jetstreamIsReady(nats);
    const stream = await jetstreamRequest(nats.port, '$JS.API.STREAM.INFO.KEEP', {});
    expect((stream['config'] as { name: string }).name).toBe('KEEP');
  });

  it('starts without JetStream when asked', async () => {
    const plain = await startNats({ jetstream: false, serverName: 'plain' });
    try {
      const varz = await getJson<Varz>(`${plain.monitorUrl}/varz`);
      expect(varz.server_name).toBe('plain');
      expect(varz.jetstream?.config).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });

  it('removes the store dir and frees the port on stop, and a second stop is harmless', async () => {
    const other = await startNats();
    const { storeDir, port } = other;
    await other.stop();
    expect(existsSync(storeDir)).toBe(false);
    expect(await connectOutcome(port)).toBe('ECONNREFUSED');
    await expect(other.stop()).resolves.toBeUndefined();
    await expect(other.resume()).rejects.toMatchObject({ code: 'TESTING_STOPPED' });
  });
});
