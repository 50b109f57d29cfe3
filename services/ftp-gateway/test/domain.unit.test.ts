import { describe, expect, it } from 'vitest';
import { FromNetworkAscii, ToNetworkAscii } from '../src/domain/ascii.js';
import { agentReply } from '../src/domain/agent-check.js';
import { LineFramer, parseCommandLine, stripListOptions } from '../src/domain/command-line.js';
import { GatewayError, PermissionDeniedError } from '../src/domain/errors.js';
import { ftpTime, lsLine, mlsxLine } from '../src/domain/listing.js';
import { quoteForReply, resolveClientPath } from '../src/domain/paths.js';
import { checkPermission, mlstPerm } from '../src/domain/permissions.js';
import { parsePortRange } from '../src/domain/port-range.js';
import { replyForError } from '../src/domain/replies.js';
import { isPartial } from '../src/domain/transfer-outcome.js';
import { gatewayIdFromInstance } from '../src/domain/gateway-id.js';
import { GatewayId } from '@ferry/contracts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const all = { read: true, write: true, delete: true, mkdir: true, rename: true };

describe('client paths', () => {
  it.each([
    ['/', 'a/b', '/a/b'],
    ['/a', '../b', '/b'],
    ['/a', '../../../../etc/passwd', '/etc/passwd'],
    ['/a', '/x/./y//z', '/x/y/z'],
    ['/a/b', '', '/a/b'],
    ['/', '%2e%2e/x', '/%2e%2e/x'],
    ['/', 'a "quoted" name', '/a "quoted" name'],
  ])('from %s, %s resolves to %s inside the virtual root', (cwd, arg, expected) => {
    expect(resolveClientPath(cwd, arg)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ['a\0b', 'nul_byte'],
    ['..\\..\\x', 'backslash'],
    ['a\rb', 'control_character'],
    ['n'.repeat(256), 'name_too_long'],
    ['é'.repeat(128), 'name_too_long'],
    [`${'d/'.repeat(2100)}f`, 'path_too_long'],
    ['.ferry-upload-123', 'reserved_name'],
  ])('%j is refused as %s', (arg, problem) => {
    expect(resolveClientPath('/', arg)).toEqual({ ok: false, problem });
  });

  it('a path is quoted for replies with embedded quotes doubled', () => {
    expect(quoteForReply('/a"b')).toBe('"/a""b"');
  });
});

describe('command lines', () => {
  it('a command split across chunks is framed once it is complete', () => {
    const framer = new LineFramer();
    expect(framer.push(bytes('US'))).toEqual([]);
    expect(framer.push(bytes('ER alice\r\nNO'))).toEqual([{ kind: 'line', text: 'USER alice' }]);
    expect(framer.push(bytes('OP\r\n'))).toEqual([{ kind: 'line', text: 'NOOP' }]);
  });

  it('a UTF-8 character split across chunks survives', () => {
    const framer = new LineFramer();
    const line = bytes('STOR é.txt\r\n');
    expect(framer.push(line.subarray(0, 6))).toEqual([]);
    expect(framer.push(line.subarray(6))).toEqual([{ kind: 'line', text: 'STOR é.txt' }]);
  });

  it('an over-long line is reported once and skipped up to its end', () => {
    const framer = new LineFramer(16);
    expect(framer.push(bytes('x'.repeat(20)))).toEqual([{ kind: 'too_long' }]);
    expect(framer.push(bytes('x'.repeat(20)))).toEqual([]);
    expect(framer.push(bytes('yy\r\nNOOP\r\n'))).toEqual([{ kind: 'line', text: 'NOOP' }]);
  });

  it('Telnet IAC sequences before ABOR are dropped', () => {
    expect(new LineFramer().push(Uint8Array.from([0xff, 0xf4, 0xff, 0xf2, ...bytes('ABOR\r\n')]))).toEqual([{ kind: 'line', text: 'ABOR' }]);
  });

  it('quotes and leading dashes stay in arguments; only LIST options are stripped', () => {
    expect(parseCommandLine('stor a"b.txt')).toEqual({ directive: 'STOR', arg: 'a"b.txt' });
    expect(parseCommandLine('RETR -al')).toEqual({ directive: 'RETR', arg: '-al' });
    expect(stripListOptions('-al')).toEqual({ path: '', options: '-al' });
    expect(stripListOptions('-a -l docs')).toEqual({ path: 'docs', options: '-a -l' });
    expect(stripListOptions('my docs')).toEqual({ path: 'my docs', options: '' });
  });
});

describe('listings', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  it('a recent file lists with its time, an old one with its year, as ls -l does', () => {
    expect(lsLine({ name: 'a b.txt', isDirectory: false, size: 42, mtime: new Date('2026-11-02T08:05:00Z') }, now)).toBe(
      '-rw-r--r-- 1 ftp ftp           42 Nov  2 08:05 a b.txt',
    );
    expect(lsLine({ name: 'old', isDirectory: true, size: 0, mtime: new Date('2020-01-15T00:00:00Z') }, now)).toBe('drwxr-xr-x 1 ftp ftp            0 Jan 15  2020 old');
  });

  it('MLSx facts carry type, size, modify and perm', () => {
    const mtime = new Date('2026-11-02T08:05:09.123Z');
    expect(mlsxLine({ name: 'f', isDirectory: false, size: 5, mtime }, all)).toBe('type=file;size=5;modify=20261102080509;perm=adfrw; f');
    expect(mlsxLine({ name: 'd', isDirectory: true, size: 0, mtime }, { ...all, write: false })).toBe('type=dir;modify=20261102080509;perm=delfm; d');
    expect(ftpTime(mtime, true)).toBe('20261102080509.123');
  });

  it('perm facts follow the profile', () => {
    expect(mlstPerm({ read: true, write: false, delete: false, mkdir: false, rename: false }, false)).toBe('r');
  });
});

describe('TYPE A', () => {
  it('LF becomes CRLF on the way out, also across chunks, and CRLF is not doubled', () => {
    const out = new ToNetworkAscii();
    expect(text(out.convert(bytes('a\nb\r')))).toBe('a\r\nb\r');
    expect(text(out.convert(bytes('\nc\n')))).toBe('\nc\r\n');
  });

  it('CRLF becomes LF on the way in, also across chunks; a lone CR stays', () => {
    const inbound = new FromNetworkAscii();
    expect(text(inbound.convert(bytes('a\r\nb\r')))).toBe('a\nb');
    expect(text(inbound.convert(bytes('\nc\rd')))).toBe('\nc\rd');
    expect(text(inbound.convert(bytes('e\r')))).toBe('e');
    expect(text(inbound.flush())).toBe('\r');
  });
});

describe('permissions and replies', () => {
  it('each operation needs its permission', () => {
    expect(checkPermission({ ...all, delete: false }, 'rmdir')).toEqual({ allowed: false, missing: 'delete' });
    expect(checkPermission({ ...all, write: false }, 'append')).toEqual({ allowed: false, missing: 'write' });
    expect(checkPermission(all, 'rename')).toEqual({ allowed: true });
  });

  it('errors map to fixed replies and never to their own message', () => {
    expect(replyForError(new GatewayError('PATH_NOT_FOUND', '/srv/ferry/alice/x: ENOENT'))).toEqual({ code: 550, text: 'No such file or directory.' });
    expect(replyForError(new PermissionDeniedError('delete'))).toEqual({ code: 550, text: 'Permission denied: this account may not delete.' });
    expect(replyForError(new Error('EIO at /srv/ferry'))).toEqual({ code: 451, text: 'Requested action aborted: local error in processing.' });
  });

  it('a failed or aborted transfer that moved bytes is partial', () => {
    expect(isPartial({ status: 'failed', bytes: 1 })).toBe(true);
    expect(isPartial({ status: 'aborted', bytes: 0 })).toBe(false);
    expect(isPartial({ status: 'completed', bytes: 10 })).toBe(false);
  });
});

describe('settings', () => {
  it('a port range parses and a bad one is refused', () => {
    expect(parsePortRange('30000-30099')).toEqual({ ok: true, value: { min: 30000, max: 30099 } });
    expect(parsePortRange('30000')).toEqual({ ok: true, value: { min: 30000, max: 30000 } });
    expect(parsePortRange('30099-30000').ok).toBe(false);
    expect(parsePortRange('0-10').ok).toBe(false);
    expect(parsePortRange('a-b').ok).toBe(false);
  });

  it('the agent check says up with a weight from free capacity, drain, or down', () => {
    expect(agentReply({ draining: false, healthy: true, sessions: 25, capacity: 100 })).toBe('up ready 75%\n');
    expect(agentReply({ draining: false, healthy: true, sessions: 100, capacity: 100 })).toBe('up ready 1%\n');
    expect(agentReply({ draining: true, healthy: true, sessions: 0, capacity: 100 })).toBe('drain\n');
    expect(agentReply({ draining: true, healthy: false, sessions: 0, capacity: 100 })).toBe('down\n');
  });
});

describe('gateway id', () => {
  it.each(['ftp-gateway-local', 'FTP-Gateway-Host.Example.Com-42', '__x', '...'])('%s becomes a valid gateway id', (instance) => {
    expect(GatewayId.safeParse(gatewayIdFromInstance(instance)).success).toBe(true);
  });

  it('a lowercase instance id is kept as it is', () => {
    expect(gatewayIdFromInstance('ftp-gateway-local')).toBe('ftp-gateway-local');
  });
});
