import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { startPlatform, type Platform } from './platform.js';
import { startGateway, type Gateway } from './gateway-harness.js';
import { RawFtp, readAll } from './raw-ftp.js';

let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;

const home = () => join(gateway.storageRoot, 'alice');

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(nats.url, {
    alice: { password: 'alice-secret' },
    reader: { password: 'reader-secret', home: 'alice', permissions: { write: false, delete: false, mkdir: false, rename: false } },
  });
  gateway = await startGateway(nats.url);
  await mkdir(home(), { recursive: true });
});

afterAll(async () => {
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
});

describe('bad requests', () => {
  it('REST beyond the end of the file gets 554; REST without a number 501; RETR of a folder and CWD to a file 550', async () => {
    await writeFile(join(home(), 'short.txt'), 'abc');
    await mkdir(join(home(), 'folder'), { recursive: true });
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect((await ftp.command('REST abc')).code).toBe(501);
    expect((await ftp.command('REST -5')).code).toBe(501);
    await ftp.epsv();
    expect((await ftp.command('REST 10')).code).toBe(350);
    expect((await ftp.command('RETR short.txt')).code).toBe(554);
    expect((await ftp.command('REST 10')).code).toBe(350);
    expect((await ftp.command('STOR short.txt')).code).toBe(554);
    expect(await readFile(join(home(), 'short.txt'), 'utf8')).toBe('abc');
    expect(await ftp.command('RETR folder')).toEqual({ code: 550, text: '550 Not a plain file.' });
    expect(await ftp.command('CWD short.txt')).toEqual({ code: 550, text: '550 Not a directory.' });
    expect((await ftp.command('TYPE E')).code).toBe(504);
    expect((await ftp.command('MODE B')).code).toBe(504);
    expect((await ftp.command('STRU R')).code).toBe(504);
    expect((await ftp.command('PORT 1,2,3')).code).toBe(501);
    expect((await ftp.command('EPRT |9|x|y|')).code).toBe(501);
    expect((await ftp.command('PROT P')).code).toBe(503);
    ftp.close();
  });
});

describe('partial uploads', () => {
  it('the partials subfolder an upload makes shows in no listing (LIST, NLST, MLSD) and cannot be entered', async () => {
    await mkdir(join(home(), 'uploads'), { recursive: true });
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const upload = await ftp.epsv();
    expect((await ftp.command('STOR uploads/one.txt')).code).toBe(150);
    upload.end('one');
    expect((await ftp.next()).code).toBe(226);
    for (const listing of ['LIST -a uploads', 'NLST uploads', 'MLSD uploads']) {
      const data = await ftp.epsv();
      const received = readAll(data);
      expect((await ftp.command(listing)).code).toBe(150);
      expect((await ftp.next()).code).toBe(226);
      const listed = (await received).toString();
      expect(listed).toContain('one.txt');
      expect(listed).not.toContain('.ferry-upload');
    }
    expect((await ftp.command('CWD uploads/.ferry-upload-partials')).code).toBe(553);
    ftp.close();
  });
});

describe('permissions', () => {
  it('an account without write, delete, mkdir or rename permission gets 550 naming the missing permission', async () => {
    await writeFile(join(home(), 'ro.txt'), 'read me');
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login('reader', 'reader-secret');
    expect(await ftp.command('DELE ro.txt')).toEqual({ code: 550, text: '550 Permission denied: this account may not delete.' });
    expect((await ftp.command('MKD newdir')).text).toContain('may not mkdir');
    expect((await ftp.command('RNFR ro.txt')).text).toContain('may not rename');
    expect((await ftp.command('STOR ro.txt')).text).toContain('may not write');
    expect((await ftp.command('APPE ro.txt')).text).toContain('may not write');
    expect((await ftp.command('SIZE ro.txt')).code).toBe(213);
    ftp.close();
  });
});

describe('confinement to the home', () => {
  beforeAll(async () => {
    await writeFile(join(gateway.storageRoot, 'secret.txt'), 'outside');
    await mkdir(join(gateway.storageRoot, 'bob'), { recursive: true });
    await writeFile(join(gateway.storageRoot, 'bob', 'bob.txt'), 'bob');
    await mkdir(home(), { recursive: true });
    await symlink(gateway.storageRoot, join(home(), 'escape'));
    await symlink(join(gateway.storageRoot, 'secret.txt'), join(home(), 'secret-link'));
  });

  const attempts = ['../secret.txt', '/../secret.txt', '../../../../etc/passwd', '/../bob/bob.txt', 'escape/secret.txt', 'secret-link', '%2e%2e/secret.txt', '..%2fsecret.txt', 'x/../../secret.txt'];

  it.each(attempts)('RETR %s never reads outside the home', async (path) => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const data = await ftp.epsv();
    const received = readAll(data);
    const reply = await ftp.command(`RETR ${path}`);
    expect(reply.code).toBeGreaterThanOrEqual(450);
    data.destroy();
    expect((await received).toString()).not.toContain('outside');
    ftp.close();
  });

  it.each(['../x.txt', 'escape/planted.txt', 'secret-link'])('STOR %s never writes outside the home', async (path) => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const data = await ftp.epsv();
    const reply = await ftp.command(`STOR ${path}`);
    if (reply.code === 150) {
      data.end('planted');
      await ftp.next();
    }
    data.destroy();
    expect(await readFile(join(gateway.storageRoot, 'secret.txt'), 'utf8')).toBe('outside');
    await expect(readFile(join(gateway.storageRoot, 'planted.txt'))).rejects.toThrow();
    await expect(readFile(join(gateway.storageRoot, 'x.txt'))).rejects.toThrow();
    ftp.close();
  });

  it('.. at the root stays at the root, and listings never show what a link points to outside', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect((await ftp.command('CWD ../../..')).code).toBe(250);
    expect((await ftp.command('PWD')).text).toBe('257 "/" is the current directory.');
    const data = await ftp.epsv();
    const received = readAll(data);
    await ftp.command('NLST');
    await ftp.next();
    const names = (await received).toString().split('\r\n');
    expect(names).not.toContain('escape');
    expect(names).not.toContain('secret-link');
    expect((await ftp.command('CWD escape')).code).toBe(550);
    expect((await ftp.command('SIZE escape/secret.txt')).text).toBe('550 No such file or directory.');
    ftp.close();
  });

  it.each([
    ['a NUL byte', 'a\0b.txt', 553],
    ['a backslash', '..\\secret.txt', 553],
    ['an overlong name', 'n'.repeat(256), 553],
    ['an overlong path', `${'d/'.repeat(2100)}f`, 553],
    ['a reserved temp name', '.ferry-upload-x', 553],
    ['the partials subfolder', '.ferry-upload-partials', 553],
    ['a path through the partials subfolder', 'docs/.ferry-upload-partials/x.bin', 553],
  ])('a path with %s is refused with 553', async (_label, path, code) => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    expect((await ftp.command(`SIZE ${path}`)).code).toBe(code);
    expect((await ftp.command(`MKD ${path}`)).code).toBe(code);
    ftp.close();
  });
});
