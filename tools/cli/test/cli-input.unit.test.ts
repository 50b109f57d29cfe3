import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError, UsageError } from '../src/errors.js';
import type { CliIo } from '../src/io.js';
import { locateTarget } from '../src/locate.js';
import { permissions, profileFields, wholeNumber } from '../src/options.js';
import { choosePassword } from '../src/password-input.js';

/** A terminal stand-in: a stream that records raw mode, and answers each prompt with the next line typed. */
function terminal(typed: string[]) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[], setRawMode: (mode: boolean) => stdin.rawModes.push(mode) });
  let prompts = '';
  const io: CliIo = {
    env: {},
    cwd: '/nowhere',
    stdin,
    stdout: { write: () => true },
    stderr: {
      write: (text: string) => {
        prompts += text;
        if (text.endsWith(': ')) setImmediate(() => stdin.write(typed.shift() ?? ''));
        return true;
      },
    },
    readFile: () => Promise.reject(new Error('no files here')),
    fetch: () => Promise.reject(new Error('no network here')),
  };
  return { io, stdin, prompts: () => prompts };
}

describe('password prompt on a terminal', () => {
  it('asks twice without echo, in raw mode, and returns the password', async () => {
    const { io, stdin, prompts } = terminal(['s3cret password\r', 's3cret password\r']);
    await expect(choosePassword({}, io, 'alice')).resolves.toEqual({ kind: 'given', password: 's3cret password' });
    expect(prompts()).toBe('New password for alice: \nRepeat it: \n');
    expect(stdin.rawModes).toEqual([true, false, true, false]);
  });

  it('handles backspace', async () => {
    const { io } = terminal(['passwordX\u007f!\r', 'password!\r']);
    await expect(choosePassword({}, io, 'alice')).resolves.toEqual({ kind: 'given', password: 'password!' });
  });

  it('fails when the two entries differ, without showing either', async () => {
    const { io } = terminal(['first password\r', 'second password\r']);
    const failure = choosePassword({}, io, 'alice');
    await expect(failure).rejects.toThrow(new CliError('the two passwords differ; nothing was changed'));
  });

  it('aborts on Ctrl-C', async () => {
    const { io } = terminal(['abc\u0003']);
    await expect(choosePassword({}, io, 'alice')).rejects.toThrow('aborted; nothing was changed');
  });

  it('is not attempted when stdin is not a terminal: a usage error says what to pass', async () => {
    const { io } = terminal([]);
    const piped: CliIo = { ...io, stdin: new PassThrough() };
    await expect(choosePassword({}, piped, 'alice')).rejects.toBeInstanceOf(UsageError);
  });
});

describe('option values', () => {
  it('turns --perm into all five permissions', () => {
    expect(permissions('read, WRITE')).toEqual({ read: true, write: true, delete: false, mkdir: false, rename: false });
    expect(permissions('none')).toEqual({ read: false, write: false, delete: false, mkdir: false, rename: false });
    expect(() => permissions('')).toThrow(UsageError);
    expect(() => permissions('read,admin')).toThrow('unknown permission "admin"');
  });

  it('accepts only whole numbers for numeric options', () => {
    expect(wholeNumber('max-sessions', '12')).toBe(12);
    for (const bad of ['-1', '1.5', '1e3', 'ten', '']) expect(() => wholeNumber('max-sessions', bad)).toThrow('--max-sessions: expected a whole number');
  });

  it('sends only the profile fields given, and an empty CIDR list for --any-address', () => {
    expect(profileFields({ 'allow-cidr': ['10.0.0.0/8,10.1.0.0/16', ' 192.0.2.0/24 '] })).toEqual({ allowedCidrs: ['10.0.0.0/8', '10.1.0.0/16', '192.0.2.0/24'] });
    expect(profileFields({ 'any-address': true, home: 'x' })).toEqual({ allowedCidrs: [], home: 'x' });
    expect(profileFields({})).toEqual({});
  });
});

describe('finding the API and the token', () => {
  const io = (env: Record<string, string>, files: Record<string, string>): CliIo => ({ ...terminal([]).io, env, cwd: '/stack', readFile: (path) => (path in files ? Promise.resolve(files[path]!) : Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }))) });
  const stack = { '/stack/.ferry/stack.json': JSON.stringify({ services: { auth: { apiUrl: 'http://127.0.0.1:9202' } }, secrets: '/stack/.ferry/secrets.json' }), '/stack/.ferry/secrets.json': JSON.stringify({ adminToken: 'from-stack' }) };

  it('prefers flags, then the environment, then the local stack files', async () => {
    expect(await locateTarget({ api: 'http://flag:1/', tokenFile: 'tok' }, io({ FERRY_API_URL: 'http://env:2', FERRY_ADMIN_TOKEN: 'from-env' }, { ...stack, '/stack/tok': 'from-file\n' }))).toEqual({
      apiUrl: 'http://flag:1',
      apiSource: '--api',
      token: 'from-file',
      tokenSource: '--token-file tok',
    });
    expect(await locateTarget({}, io({ FERRY_API_URL: 'http://env:2', FERRY_ADMIN_TOKEN: 'from-env' }, stack))).toMatchObject({ apiUrl: 'http://env:2', token: 'from-env' });
    expect(await locateTarget({}, io({}, stack))).toMatchObject({ apiUrl: 'http://127.0.0.1:9202', apiSource: '.ferry/stack.json', token: 'from-stack', tokenSource: '/stack/.ferry/secrets.json' });
  });

  it('says what to do when nothing names an API or a token', async () => {
    await expect(locateTarget({}, io({}, {}))).rejects.toThrow('no auth admin API to talk to');
    await expect(locateTarget({}, io({ FERRY_API_URL: 'http://env:2' }, {}))).rejects.toThrow('no admin token');
    await expect(locateTarget({ api: 'not a url' }, io({ FERRY_ADMIN_TOKEN: 't' }, {}))).rejects.toThrow('--api: "not a url" is not a URL');
    await expect(locateTarget({ tokenFile: 'empty' }, io({ FERRY_API_URL: 'http://env:2' }, { '/stack/empty': '\n' }))).rejects.toThrow('--token-file empty: the file is empty');
  });
});
