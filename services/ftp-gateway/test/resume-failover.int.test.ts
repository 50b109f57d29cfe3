import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePorts, pollUntil, startNats, type NatsServerHandle } from '@ferry/testing';
import { PARTIALS_FOLDER } from '../src/domain/partial-upload.js';
import { activity } from './activity.js';
import { connectClient } from './gateway-harness.js';
import { startPlatform, type Platform } from './platform.js';
import { RawFtp } from './raw-ftp.js';
import { serviceProcess, type ServiceProcess } from './service-process.js';

const run = promisify(execFile);
let nats: NatsServerHandle;
let platform: Platform;
let storage: string;
let work: string;
const gateways: ServiceProcess[] = [];

/** A real gateway process on the shared storage root: the id and the stale time are what ADR 0006 hinges on. */
async function gatewayProcess(id: string, staleAfter: string): Promise<ServiceProcess> {
  const [passive = 0] = await getFreePorts(1);
  const gateway = await serviceProcess(
    'ftp-gateway',
    { NATS_URL: nats.url, GATEWAY_ID: id, FERRY_STORAGE_ROOT: storage, GATEWAY_PASSIVE_PORTS: `${passive}-${passive + 20}`, GATEWAY_UPLOAD_STALE_AFTER: staleAfter },
    ['GATEWAY_FTP_PORT'],
  );
  gateways.push(gateway);
  return gateway;
}

const ftpPort = (gateway: ServiceProcess) => gateway.ports['GATEWAY_FTP_PORT'] ?? 0;
const home = () => join(storage, 'alice');
/** The partials in the home's hidden partials subfolder (none when the subfolder is gone or was never made). */
const partials = async () =>
  readdir(join(home(), PARTIALS_FOLDER)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
const partialPath = (file: string) => join(home(), PARTIALS_FOLDER, file);

/** Starts an upload of `head` through `gateway` and leaves it open, once the gateway has written all of it to its partial. */
async function uploadInFlight(gateway: ServiceProcess, name: string, head: Buffer): Promise<{ ftp: RawFtp; data: Socket }> {
  const ftp = await RawFtp.open(ftpPort(gateway));
  await ftp.login();
  const data = await ftp.epsv();
  expect((await ftp.command(`STOR ${name}`)).code).toBe(150);
  data.write(head);
  await pollUntil('the partial to hold what was sent', 10_000, async () => {
    const sizes = await Promise.all((await partials()).map(async (file) => (await stat(partialPath(file))).size));
    return sizes.includes(head.length);
  });
  return { ftp, data };
}

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(nats.url, { alice: { password: 'alice-secret' } });
  storage = await mkdtemp(join(tmpdir(), 'ferry-resume-storage-'));
  work = await mkdtemp(join(tmpdir(), 'ferry-resume-work-'));
});

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop('SIGKILL')));
  await platform?.stop();
  await nats?.stop();
  await rm(storage, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('an upload cut by a gateway crash', () => {
  it('resumes through another gateway with curl -C -, byte for byte, and the completed transfer carries its offset', async () => {
    const crashing = await gatewayProcess('gw-a', '1h');
    const survivor = await gatewayProcess('gw-b', '1s');
    const file = randomBytes(700 * 1024);
    const head = file.subarray(0, 300 * 1024);
    await uploadInFlight(crashing, 'big.bin', head);
    await crashing.stop('SIGKILL');

    // While the writer may still live, nobody sees the name; once stale, SIZE through the other gateway finds the partial.
    const client = await connectClient(ftpPort(survivor));
    expect((await client.list()).map((entry) => entry.name)).not.toContain('big.bin');
    await pollUntil('the survivor to adopt the partial', 10_000, async () => (await client.size('big.bin').catch(() => -1)) === head.length);
    client.close();

    await writeFile(join(work, 'big.bin'), file);
    await run('curl', ['-sS', '--fail', '--max-time', '30', '-C', '-', '-T', join(work, 'big.bin'), `ftp://alice:alice-secret@127.0.0.1:${ftpPort(survivor)}/big.bin`]);
    expect((await readFile(join(home(), 'big.bin'))).equals(file)).toBe(true);
    expect(await partials()).toEqual([]);

    await expect
      .poll(async () => (await activity(platform.bus)).filter((event) => event.type === 'ferry.transfer.completed.v1' && event.data['path'] === '/big.bin').map((event) => event.data), { timeout: 10_000 })
      .toEqual([expect.objectContaining({ gateway: 'gw-b', direction: 'upload', offset: head.length, bytes: file.length - head.length, fileSize: file.length })]);
  });

  it('a restarted gateway adopts its own earlier life\'s partial at once, without waiting for it to go stale', async () => {
    const gateway = await gatewayProcess('gw-c', '1h');
    const file = randomBytes(200 * 1024);
    await uploadInFlight(gateway, 'own.bin', file.subarray(0, 50 * 1024));
    await gateway.stop('SIGKILL');
    await gateway.start();

    const client = await connectClient(ftpPort(gateway));
    expect(await client.size('own.bin')).toBe(50 * 1024);
    await client.appendFrom(Readable.from([file.subarray(50 * 1024)]), 'own.bin');
    client.close();
    expect((await readFile(join(home(), 'own.bin'))).equals(file)).toBe(true);
  });

  it('a live upload on one gateway is left alone by another, and two uploads of one name never mix', async () => {
    const first = await gatewayProcess('gw-d', '1h');
    const second = await gatewayProcess('gw-e', '1h');
    const one = randomBytes(100 * 1024);
    const two = randomBytes(150 * 1024);
    const slow = await uploadInFlight(first, 'same.bin', one.subarray(0, 1024));

    const client = await connectClient(ftpPort(second));
    await expect(client.size('same.bin')).rejects.toThrow(/550/);
    await client.uploadFrom(Readable.from([two]), 'same.bin');
    expect((await readFile(join(home(), 'same.bin'))).equals(two)).toBe(true);
    client.close();

    // The slower upload completes last, so its whole file replaces the other whole file: last complete upload wins.
    slow.data.end(one.subarray(1024));
    expect((await slow.ftp.next()).code).toBe(226);
    slow.ftp.close();
    expect((await readFile(join(home(), 'same.bin'))).equals(one)).toBe(true);
    expect(await partials()).toEqual([]);
  });
});
