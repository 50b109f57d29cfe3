import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { startPlatform, type Platform } from './platform.js';
import { connectClient, startGateway, type Gateway } from './gateway-harness.js';
import { RawFtp } from './raw-ftp.js';
import { makeCertificate } from './tls-cert.js';

const run = promisify(execFile);
let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;
let work: string;

const url = (path = '') => `ftp://alice:alice-secret@127.0.0.1:${gateway.ftpPort}/${path}`;
const curl = (...args: string[]) => run('curl', ['-sS', '--max-time', '30', ...args], { maxBuffer: 64 * 1024 * 1024 });
const lftp = (script: string) => run('lftp', ['-c', `set net:max-retries 1; set net:timeout 15; set cmd:fail-exit yes; ${script}`], { timeout: 60_000 });
const open = () => `open -u alice,alice-secret -p ${gateway.ftpPort} 127.0.0.1`;

async function tree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out[relative(root, full)] = (await readFile(full)).toString('base64');
    }
  };
  await walk(root);
  return out;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ferry-clients-'));
  const { cert, key } = await makeCertificate(work);
  nats = await startNats();
  platform = await startPlatform(nats.url, { alice: { password: 'alice-secret' } });
  gateway = await startGateway(nats.url, { GATEWAY_TLS_CERT: cert, GATEWAY_TLS_KEY: key });
});

afterAll(async () => {
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('curl', () => {
  it('uploads, lists, downloads and resumes both ways', async () => {
    const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256));
    await writeFile(join(work, 'c.bin'), data);
    await curl('-T', join(work, 'c.bin'), '--ftp-create-dirs', url('curl/c.bin'));
    expect((await curl(url('curl/'))).stdout).toMatch(/c\.bin/);
    await curl('-o', join(work, 'c.back'), url('curl/c.bin'));
    expect(await readFile(join(work, 'c.back'))).toEqual(data);
    // Resume a download: keep the first half locally, let curl fetch the rest (REST).
    await writeFile(join(work, 'c.half'), data.subarray(0, 100_000));
    await curl('-C', '-', '-o', join(work, 'c.half'), url('curl/c.bin'));
    expect(await readFile(join(work, 'c.half'))).toEqual(data);
    // Resume an upload: the server has the first part, curl sends the rest (SIZE + APPE).
    await writeFile(join(gateway.storageRoot, 'alice', 'curl', 'up.bin'), data.subarray(0, 70_000));
    await curl('-C', '-', '-T', join(work, 'c.bin'), url('curl/up.bin'));
    expect(await readFile(join(gateway.storageRoot, 'alice', 'curl', 'up.bin'))).toEqual(data);
  });

  it('works in active mode (PORT/EPRT): upload, list and download', async () => {
    await writeFile(join(work, 'a.txt'), 'active data');
    await curl('-P', '127.0.0.1', '-T', join(work, 'a.txt'), url('active.txt'));
    await curl('--disable-eprt', '-P', '127.0.0.1', '-T', join(work, 'a.txt'), url('active-port.txt'));
    expect((await curl('-P', '127.0.0.1', url(''))).stdout).toMatch(/active\.txt/);
    expect((await curl('-P', '127.0.0.1', url('active.txt'))).stdout).toBe('active data');
    expect(await readFile(join(gateway.storageRoot, 'alice', 'active-port.txt'), 'utf8')).toBe('active data');
  });

  it('works over explicit FTPS (--ssl-reqd)', async () => {
    await writeFile(join(work, 's.txt'), 'secret payload');
    await curl('--ssl-reqd', '-k', '-T', join(work, 's.txt'), url('s.txt'));
    expect((await curl('--ssl-reqd', '-k', url('s.txt'))).stdout).toBe('secret payload');
    expect((await curl('--ssl-reqd', '-k', url(''))).stdout).toMatch(/s\.txt/);
  });
});

describe('lftp', () => {
  it('mirrors a small tree up and down byte for byte (plain FTP)', async () => {
    const local = join(work, 'tree');
    await mkdir(join(local, 'sub', 'deeper'), { recursive: true });
    await writeFile(join(local, 'top.txt'), 'top\n');
    await writeFile(join(local, 'with space "quoted".txt'), 'quoted\n');
    await writeFile(join(local, 'sub', 'data.bin'), Buffer.alloc(100_000, 9));
    await writeFile(join(local, 'sub', 'deeper', 'é.txt'), 'accent\n');
    await lftp(`set ftp:ssl-allow no; ${open()}; mirror -R ${local} /mirror`);
    const back = join(work, 'tree-back');
    await lftp(`set ftp:ssl-allow no; ${open()}; mirror /mirror ${back}`);
    expect(await tree(back)).toEqual(await tree(local));
    expect(await tree(join(gateway.storageRoot, 'alice', 'mirror'))).toEqual(await tree(local));
  });

  it('resumes an interrupted download (get -c)', async () => {
    const data = Buffer.alloc(150_000, 5);
    await writeFile(join(gateway.storageRoot, 'alice', 'big.bin'), data);
    await writeFile(join(work, 'big.bin'), data.subarray(0, 50_000));
    await lftp(`set ftp:ssl-allow no; ${open()}; get -c /big.bin -o ${join(work, 'big.bin')}`);
    expect((await stat(join(work, 'big.bin'))).size).toBe(150_000);
  });

  it('works over explicit FTPS with PROT P', async () => {
    await writeFile(join(work, 'l.txt'), 'lftp over tls');
    await lftp(`set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no; ${open()}; put ${join(work, 'l.txt')} -o /l.txt; get /l.txt -o ${join(work, 'l.back')}`);
    expect(await readFile(join(work, 'l.back'), 'utf8')).toBe('lftp over tls');
  });
});

describe('basic-ftp over explicit FTPS', () => {
  it('logs in, uploads, lists and downloads with PROT P', async () => {
    const client = await connectClient(gateway.ftpPort, 'alice', 'alice-secret', true);
    await client.uploadFrom(Readable.from([Buffer.from('tls data')]), 'tls.txt');
    expect((await client.list()).map((entry) => entry.name)).toContain('tls.txt');
    const chunks: Buffer[] = [];
    await client.downloadTo(new Writable({ write: (chunk: Buffer, _e, cb) => void (chunks.push(chunk), cb()) }), 'tls.txt');
    expect(Buffer.concat(chunks).toString()).toBe('tls data');
    client.close();
  });

  it('FEAT announces AUTH TLS, PBSZ and PROT when TLS is configured', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    expect((await ftp.command('FEAT')).text).toContain(' AUTH TLS\n PBSZ\n PROT\n');
    ftp.close();
  });
});

describe('many clients', () => {
  it('50 parallel sessions each upload and download their own file', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const client = await connectClient(gateway.ftpPort);
        try {
          const data = Buffer.alloc(20_000 + i, i);
          await client.uploadFrom(Readable.from([data]), `par-${i}.bin`);
          const chunks: Buffer[] = [];
          await client.downloadTo(new Writable({ write: (chunk: Buffer, _e, cb) => void (chunks.push(chunk), cb()) }), `par-${i}.bin`);
          return Buffer.concat(chunks).equals(data);
        } finally {
          client.close();
        }
      }),
    );
    expect(results.every(Boolean)).toBe(true);
  });
});

describe('requiring TLS session reuse on data connections', () => {
  it('curl, which resumes the control session, transfers; a data connection with a fresh TLS session is refused', async () => {
    const strict = await startGateway(nats.url, {
      GATEWAY_TLS_CERT: join(work, 'cert.pem'),
      GATEWAY_TLS_KEY: join(work, 'key.pem'),
      GATEWAY_TLS_REQUIRE_SESSION_REUSE: 'true',
    });
    try {
      const strictUrl = `ftp://alice:alice-secret@127.0.0.1:${strict.ftpPort}/reuse.txt`;
      await writeFile(join(work, 'r.txt'), 'reused');
      await curl('--ssl-reqd', '-k', '-T', join(work, 'r.txt'), strictUrl);
      expect((await curl('--ssl-reqd', '-k', strictUrl)).stdout).toBe('reused');
      const ftp = await RawFtp.open(strict.ftpPort);
      await ftp.next();
      await ftp.startTls();
      expect((await ftp.command('USER alice')).code).toBe(331);
      expect((await ftp.command('PASS alice-secret')).code).toBe(230);
      expect((await ftp.command('PBSZ 0')).code).toBe(200);
      expect((await ftp.command('PROT P')).code).toBe(200);
      const port = Number(/\|\|\|(\d+)\|/.exec((await ftp.command('EPSV')).text)?.[1]);
      const fresh = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      fresh.on('error', () => undefined);
      expect((await ftp.command('RETR reuse.txt')).code).toBe(150);
      expect((await ftp.next()).code).toBe(425);
      expect(await (await fetch(`${strict.running.opsUrl}/metrics`)).text()).toMatch(/refused_data_connections_total\{reason="tls_not_reused"/);
      fresh.destroy();
      ftp.close();
    } finally {
      await strict.stop();
    }
  });
});

describe('requiring TLS', () => {
  it('refuses USER in clear text with 530 and accepts it after AUTH TLS', async () => {
    const strict = await startGateway(nats.url, {
      GATEWAY_TLS_CERT: join(work, 'cert.pem'),
      GATEWAY_TLS_KEY: join(work, 'key.pem'),
      GATEWAY_REQUIRE_TLS: 'true',
    });
    try {
      const ftp = await RawFtp.open(strict.ftpPort);
      await ftp.next();
      expect((await ftp.command('USER alice')).code).toBe(530);
      ftp.close();
      const client = await connectClient(strict.ftpPort, 'alice', 'alice-secret', true);
      expect(await client.pwd()).toBe('/');
      client.close();
    } finally {
      await strict.stop();
    }
  });
});
