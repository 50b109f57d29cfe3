import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { startPlatform, type Platform } from './platform.js';
import { connectClient, startGateway, type Gateway } from './gateway-harness.js';
import { RawFtp } from './raw-ftp.js';

let nats: NatsServerHandle;
let platform: Platform;
let gateway: Gateway;

async function canLogIn(port: number): Promise<boolean> {
  const ftp = await RawFtp.open(port);
  try {
    await ftp.login();
    return true;
  } catch {
    return false;
  } finally {
    ftp.close();
  }
}

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform(nats.url, {
    alice: { password: 'alice-secret' },
    bob: { password: 'bob-secret', maxSessions: 1 },
  });
  gateway = await startGateway(nats.url);
});

afterAll(async () => {
  await gateway?.stop();
  await platform?.stop();
  await nats?.stop();
});

describe('login', () => {
  it('a known user with the right password logs in and lands in their home', async () => {
    const client = await connectClient(gateway.ftpPort);
    expect(await client.pwd()).toBe('/');
    client.close();
  });

  it('a wrong password gets 530 "Login incorrect." and the connection stays usable', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    expect((await ftp.next()).code).toBe(220);
    expect((await ftp.command('USER alice')).code).toBe(331);
    expect(await ftp.command('PASS wrong')).toEqual({ code: 530, text: '530 Login incorrect.' });
    expect((await ftp.command('USER alice')).code).toBe(331);
    expect((await ftp.command('PASS alice-secret')).code).toBe(230);
    ftp.close();
  });

  it('an unknown user gets the same 530 as a wrong password', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    await ftp.command('USER mallory');
    expect(await ftp.command('PASS whatever')).toEqual({ code: 530, text: '530 Login incorrect.' });
    ftp.close();
  });

  it('commands before login get 530', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    for (const command of ['LIST', 'RETR x', 'STOR x', 'CWD /', 'PWD', 'MKD a', 'DELE a', 'PASV', 'SIZE a']) {
      expect((await ftp.command(command)).code).toBe(530);
    }
    ftp.close();
  });

  it('an absurdly long user name or password gets 530 like any wrong login, and the session stays usable', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    await ftp.command(`USER ${'u'.repeat(300)}`);
    expect(await ftp.command('PASS x')).toEqual({ code: 530, text: '530 Login incorrect.' });
    await ftp.command('USER alice');
    expect(await ftp.command(`PASS ${'p'.repeat(2000)}`)).toEqual({ code: 530, text: '530 Login incorrect.' });
    expect((await ftp.command('USER')).code).toBe(501);
    expect((await ftp.command('AUTH TLS')).code).toBe(534);
    expect((await ftp.command('AUTH KERBEROS')).code).toBe(504);
    expect((await ftp.command('PBSZ 0')).code).toBe(503);
    await ftp.command('USER alice');
    expect((await ftp.command('PASS alice-secret')).code).toBe(230);
    expect((await ftp.command('USER bob')).code).toBe(530);
    ftp.close();
  });

  it('PASS before USER gets 503', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    expect((await ftp.command('PASS x')).code).toBe(503);
    ftp.close();
  });

  it('a second session beyond the user limit gets 421 "Too many sessions for this user"', async () => {
    const first = await connectClient(gateway.ftpPort, 'bob', 'bob-secret');
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    await ftp.command('USER bob');
    expect(await ftp.command('PASS bob-secret')).toEqual({ code: 421, text: '421 Too many sessions for this user.' });
    first.close();
  });

  it('QUIT answers 221 and the session service hears the session closed with reason quit', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    const sessionId = await platform.lastSessionId('alice');
    expect((await ftp.command('QUIT')).code).toBe(221);
    await expect.poll(() => platform.closedReason(sessionId), { timeout: 10_000 }).toBe('quit');
  });

  it('a session the session service no longer knows (Redis restarted without persistence) is closed at the next heartbeat', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.login();
    await platform.redis.kill();
    await platform.redis.resume();
    expect((await ftp.next(15_000)).code).toBe(421);
    await expect.poll(() => ftp.closed).toBe(true);
    // The session service reconnects by itself: logins work again.
    await expect.poll(() => canLogIn(gateway.ftpPort), { timeout: 15_000, interval: 300 }).toBe(true);
  });
});

describe('control channel', () => {
  it('a command split across two TCP writes is one command (ftp-srv defect 1)', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    ftp.write('US');
    await new Promise((resolve) => setTimeout(resolve, 50));
    ftp.write('ER alice\r\n');
    expect((await ftp.next()).code).toBe(331);
    ftp.close();
  });

  it('two commands in one TCP write get both replies, in order', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    ftp.write('NOOP\r\nUSER alice\r\n');
    expect((await ftp.next()).code).toBe(200);
    expect((await ftp.next()).code).toBe(331);
    ftp.close();
  });

  it('an unknown command gets 502 and a malformed verb 500, without echoing long input', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    expect((await ftp.command('XYZW')).code).toBe(502);
    const garbage = await ftp.command(`${'A'.repeat(300)} x`);
    expect(garbage.code).toBe(500);
    expect(garbage.text.length).toBeLessThan(100);
    ftp.close();
  });

  it('binary junk and invalid UTF-8 on the control connection get error replies, never a crash', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    ftp.write(Buffer.from([0x00, 0xc3, 0x28, 0xff, 0xfe, 0x80, 0x0d, 0x0a]));
    expect((await ftp.next()).code).toBe(500);
    ftp.write(Buffer.from([0x55, 0x53, 0x45, 0x52, 0x20, 0xc3, 0x28, 0x0d, 0x0a]));
    expect((await ftp.next()).code).toBe(331);
    ftp.write('\r\n');
    expect((await ftp.next()).code).toBe(500);
    expect((await ftp.command('NOOP')).code).toBe(200);
    ftp.close();
  });

  it('a 10 KB command line gets 500 and the session goes on', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    const reply = await ftp.command(`STOR ${'x'.repeat(10 * 1024)}`);
    expect(reply.code).toBe(500);
    expect((await ftp.command('NOOP')).code).toBe(200);
    ftp.close();
  });

  it('FEAT lists exactly the extensions the gateway implements', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    const reply = await ftp.command('FEAT');
    expect(reply.text.split('\n')).toEqual(['211-Features:', ' EPRT', ' EPSV', ' MDTM', ' MLST type*;size*;modify*;perm*;', ' REST STREAM', ' SIZE', ' TVFS', ' UTF8', '211 End']);
    ftp.close();
  });

  it('SYST, NOOP, HELP, OPTS UTF8 ON and STAT answer before login', async () => {
    const ftp = await RawFtp.open(gateway.ftpPort);
    await ftp.next();
    expect((await ftp.command('SYST')).code).toBe(215);
    expect((await ftp.command('NOOP')).code).toBe(200);
    expect((await ftp.command('HELP')).code).toBe(214);
    expect((await ftp.command('OPTS UTF8 ON')).code).toBe(200);
    expect((await ftp.command('STAT')).code).toBe(211);
    ftp.close();
  });

  it('starting a gateway adds no SIGTERM/SIGINT handler to the process (ftp-srv defect 8: it called process.exit)', async () => {
    const before = { term: process.listeners('SIGTERM'), int: process.listeners('SIGINT') };
    const another = await startGateway(nats.url);
    try {
      expect(process.listeners('SIGTERM')).toEqual(before.term);
      expect(process.listeners('SIGINT')).toEqual(before.int);
    } finally {
      await another.stop();
    }
  });
});
