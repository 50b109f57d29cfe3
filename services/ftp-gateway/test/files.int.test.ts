import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'basic-ftp';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { PARTIALS_FOLDER } from '../src/domain/partial-upload.js';
import { startPlatform, type Platform } from './platform.js';
import { connectClient, startGateway, type Gateway } from './gateway-harness.js';
import { RawFtp, readAll } from './raw-ftp.js';

let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;
let client: Client;

const home = () => join(gateway.storageRoot, 'alice');

async function download(path: string, startAt = 0): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => void (chunks.push(chunk), cb()) });
  await client.downloadTo(sink, path, startAt);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(nats.url, {
    alice: { password: 'alice-secret' },
    reader: { password: 'reader-secret', home: 'alice', permissions: { write: false, delete: false, mkdir: false, rename: false } },
  });
  gateway = await startGateway(nats.url);
  client = await connectClient(gateway.ftpPort);
});

afterAll(async () => {
  client?.close();
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
});

describe('files', () => {
  it('an upload and a download round-trip byte for byte', async () => {
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    await client.uploadFrom(Readable.from([data]), 'blob.bin');
    expect(await readFile(join(home(), 'blob.bin'))).toEqual(data);
    expect(await download('blob.bin')).toEqual(data);
    expect(await client.size('blob.bin')).toBe(data.length);
  });

  it('UTF-8 names with quotes and spaces round-trip (ftp-srv defect 3 stripped quotes)', async () => {
    const name = 'ré "sumé" l\'été 日本.txt';
    await client.uploadFrom(Readable.from([Buffer.from('hello')]), name);
    const names = (await client.list()).map((entry) => entry.name);
    expect(names).toContain(name);
    expect((await download(name)).toString()).toBe('hello');
  });

  it('MKD quotes a name containing a quote by doubling it (RFC 959)', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect(await ftp.command('MKD a"b')).toEqual({ code: 257, text: '257 "/a""b" created.' });
    ftp.close();
  });

  it('LIST -al lists the folder instead of looking for a file named -al (ftp-srv defect 4)', async () => {
    await client.uploadFrom(Readable.from([Buffer.from('x')]), 'listed.txt');
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    for (const flags of ['-al', '-a', '-l', '-la']) {
      const data = await ftp.epsv();
      const received = readAll(data);
      expect((await ftp.command(`LIST ${flags}`)).code).toBe(150);
      expect((await ftp.next()).code).toBe(226);
      expect((await received).toString()).toMatch(/^-rw-r--r-- 1 ftp ftp +1 \w{3} [ \d]\d \d\d:\d\d listed\.txt\r$/m);
    }
    ftp.close();
  });

  it('MLSD and MLST give type, size, modify and perm facts', async () => {
    await client.ensureDir('/mlsx');
    await client.uploadFrom(Readable.from([Buffer.from('12345')]), 'f.txt');
    await client.cd('/');
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const mlst = await ftp.command('MLST mlsx/f.txt');
    expect(mlst.code).toBe(250);
    expect(mlst.text).toMatch(/^ type=file;size=5;modify=\d{14};perm=adfrw; \/mlsx\/f\.txt$/m);
    const data = await ftp.epsv();
    const received = readAll(data);
    expect((await ftp.command('MLSD mlsx')).code).toBe(150);
    expect((await ftp.next()).code).toBe(226);
    expect((await received).toString()).toMatch(/^type=file;size=5;modify=\d{14};perm=adfrw; f\.txt\r$/m);
    ftp.close();
  });

  it('SIZE and MDTM describe a file; on a missing one they answer 550 with a fixed text', async () => {
    await client.uploadFrom(Readable.from([Buffer.from('abc')]), 'sized.txt');
    expect(await client.size('sized.txt')).toBe(3);
    expect((await client.lastMod('sized.txt')).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect(await ftp.command('SIZE nope.txt')).toEqual({ code: 550, text: '550 No such file or directory.' });
    ftp.close();
  });

  it('REST + STOR writes at the offset without truncating what is before it (ftp-srv defect 2)', async () => {
    await writeFile(join(home(), 'resume.bin'), Buffer.from('AAAAABBBBB'));
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const data = await ftp.epsv();
    expect((await ftp.command('REST 5')).code).toBe(350);
    expect((await ftp.command('STOR resume.bin')).code).toBe(150);
    data.end('CCCCCDDDDD');
    expect((await ftp.next()).code).toBe(226);
    expect((await readFile(join(home(), 'resume.bin'))).toString()).toBe('AAAAACCCCCDDDDD');
    ftp.close();
  });

  it('REST + RETR resumes a download at the offset', async () => {
    await writeFile(join(home(), 'partial.txt'), '0123456789');
    expect((await download('partial.txt', 4)).toString()).toBe('456789');
  });

  it('APPE appends to an existing file', async () => {
    await writeFile(join(home(), 'log.txt'), 'one\n');
    await client.appendFrom(Readable.from([Buffer.from('two\n')]), 'log.txt');
    expect(await readFile(join(home(), 'log.txt'), 'utf8')).toBe('one\ntwo\n');
  });

  it('STOU stores under a new unique name and says which', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const data = await ftp.epsv();
    const opening = await ftp.command('STOU');
    expect(opening.code).toBe(150);
    const name = /FILE: (\S+)/.exec(opening.text)?.[1];
    data.end('unique');
    expect((await ftp.next()).code).toBe(226);
    expect(await readFile(join(home(), name!), 'utf8')).toBe('unique');
    ftp.close();
  });

  it('MKD, CWD, CDUP, PWD, RNFR/RNTO, DELE and RMD work together', async () => {
    await client.cd('/');
    await client.send('MKD work dir');
    await client.cd('work dir');
    expect(await client.pwd()).toBe('/work dir');
    await client.uploadFrom(Readable.from([Buffer.from('x')]), 'a.txt');
    await client.rename('a.txt', 'b.txt');
    expect((await client.list()).map((entry) => entry.name)).toEqual(['b.txt']);
    await client.remove('b.txt');
    await client.cdup();
    expect(await client.pwd()).toBe('/');
    await client.send('RMD work dir');
    expect((await client.list()).map((entry) => entry.name)).not.toContain('work dir');
  });

  it('RNTO without RNFR gets 503; RMD of a folder that is not empty gets 550', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect((await ftp.command('RNTO x')).code).toBe(503);
    await mkdir(join(home(), 'full'), { recursive: true });
    await writeFile(join(home(), 'full', 'f'), 'x');
    expect(await ftp.command('RMD full')).toEqual({ code: 550, text: '550 Directory not empty.' });
    ftp.close();
  });

  it('TYPE A converts line endings both ways; TYPE I does not', async () => {
    await writeFile(join(home(), 'unix.txt'), 'a\nb\n');
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect((await ftp.command('TYPE A')).code).toBe(200);
    let data = await ftp.epsv();
    let received = readAll(data);
    expect((await ftp.command('RETR unix.txt')).code).toBe(150);
    expect((await ftp.next()).code).toBe(226);
    expect((await received).toString()).toBe('a\r\nb\r\n');
    data = await ftp.epsv();
    expect((await ftp.command('STOR dos.txt')).code).toBe(150);
    data.end('c\r\nd\r\n');
    expect((await ftp.next()).code).toBe(226);
    expect(await readFile(join(home(), 'dos.txt'), 'utf8')).toBe('c\nd\n');
    expect((await ftp.command('TYPE I')).code).toBe(200);
    data = await ftp.epsv();
    received = readAll(data);
    await ftp.command('RETR unix.txt');
    await ftp.next();
    expect((await received).toString()).toBe('a\nb\n');
    ftp.close();
  });

  it('a reader never sees a half-written upload: the name appears only when the upload completes', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const data = await ftp.epsv();
    expect((await ftp.command('STOR atomic.bin')).code).toBe(150);
    data.write(Buffer.alloc(64 * 1024, 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await client.list()).map((entry) => entry.name)).not.toContain('atomic.bin');
    data.end(Buffer.alloc(64 * 1024, 2));
    expect((await ftp.next()).code).toBe(226);
    expect((await readFile(join(home(), 'atomic.bin'))).length).toBe(128 * 1024);
    ftp.close();
  });

  it('an upload sweeps temp files that crashed gateways left behind (untouched for an hour), not fresh ones', async () => {
    await mkdir(join(home(), 'sweep', PARTIALS_FOLDER), { recursive: true });
    const stale = join(home(), 'sweep', PARTIALS_FOLDER, '.ferry-upload-stale');
    const fresh = join(home(), 'sweep', PARTIALS_FOLDER, '.ferry-upload-fresh');
    await writeFile(stale, 'left behind');
    await writeFile(fresh, 'in progress elsewhere');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    await client.uploadFrom(Readable.from([Buffer.from('new')]), '/sweep/new.txt');
    await expect(readFile(stale)).rejects.toThrow();
    expect(await readFile(fresh, 'utf8')).toBe('in progress elsewhere');
  });

  it('ABOR during a transfer stops it with 426 then 226, and STAT answers while it runs (ftp-srv defect 7)', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const data = await ftp.epsv();
    expect((await ftp.command('STOR slow.bin')).code).toBe(150);
    data.write(Buffer.alloc(1000, 7));
    const stat = await ftp.command('STAT');
    expect(stat.code).toBe(211);
    expect(stat.text).toContain('Transfer in progress: upload /slow.bin');
    ftp.write('ABOR\r\n');
    expect((await ftp.next()).code).toBe(426);
    expect((await ftp.next()).code).toBe(226);
    expect((await ftp.command('NOOP')).code).toBe(200);
    ftp.close();
  });

  it('RETR streams with backpressure: a client that stops reading stops the file reads (ftp-srv defect 8)', async () => {
    const size = 64 * 1024 * 1024;
    await writeFile(join(home(), 'large.bin'), Buffer.alloc(size, 0x61));
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const data = await ftp.epsv();
    data.pause();
    expect((await ftp.command('RETR large.bin')).code).toBe(150);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const readSoFar = Number(/\((\d+) bytes\)/.exec((await ftp.command('STAT')).text)?.[1]);
    // Socket buffers and the stream's high-water marks hold a few MB at most; without backpressure all 64 MB would be read.
    expect(readSoFar).toBeLessThan(size / 2);
    let received = 0;
    data.on('data', (chunk: Buffer) => (received += chunk.length));
    data.resume();
    expect((await ftp.next(30_000)).code).toBe(226);
    await new Promise<void>((resolve) => (data.closed ? resolve() : data.once('close', () => resolve())));
    expect(received).toBe(size);
    ftp.close();
  });

  it('a transfer without PASV/PORT first gets 425', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect((await ftp.command('RETR blob.bin')).code).toBe(425);
    ftp.close();
  });

  it('PASV answers without any pasv_url, with the address the client reached (ftp-srv defect 5)', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect((await ftp.command('PASV')).text).toMatch(/^227 Entering Passive Mode \(127,0,0,1,\d+,\d+\)\.$/);
    ftp.close();
  });
});
