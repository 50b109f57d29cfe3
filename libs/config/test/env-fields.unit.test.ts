import { describe, expect, it } from 'vitest';
import {
  cidrBlockList,
  envBool,
  envCidrList,
  envCsv,
  envDuration,
  envEnum,
  envInt,
  envLogLevel,
  envPort,
  envSecret,
  envUrl,
} from '../src/index.js';

describe('envPort', () => {
  it('accepts 1 to 65535 and trims', () => {
    expect(envPort().parse('1')).toBe(1);
    expect(envPort().parse(' 65535 ')).toBe(65535);
  });
  it.each(['0', '65536', '-1', '80.5', '1e3', '0x50', 'http', ''])('rejects %j', (raw) => {
    expect(envPort().safeParse(raw).success).toBe(false);
  });
  it('accepts 0 only when asked to', () => {
    expect(envPort({ allowZero: true }).parse('0')).toBe(0);
  });
});

describe('envInt', () => {
  it('accepts whole numbers within its bounds', () => {
    expect(envInt({ min: 1, max: 5 }).parse('3')).toBe(3);
    expect(envInt().parse('-42')).toBe(-42);
  });
  it.each(['0', '6', '2.5', 'three', '9007199254740993'])('rejects %j for 1..5', (raw) => {
    expect(envInt({ min: 1, max: 5 }).safeParse(raw).success).toBe(false);
  });
});

describe('envBool', () => {
  it.each([
    ['true', true],
    ['YES', true],
    ['1', true],
    ['false', false],
    ['No', false],
    ['0', false],
  ])('reads %j as %s', (raw, expected) => {
    expect(envBool().parse(raw)).toBe(expected);
  });
  it.each(['on', 'off', 'y', '2', 'truthy'])('rejects %j rather than guessing', (raw) => {
    expect(envBool().safeParse(raw).success).toBe(false);
  });
});

describe('envDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['250', 250],
  ])('reads %j as %d ms', (raw, ms) => {
    expect(envDuration().parse(raw)).toBe(ms);
  });
  it.each(['5 sec', '1.5s', '-5s', '5w', 's', '99999999999999999d'])('rejects %j', (raw) => {
    expect(envDuration().safeParse(raw).success).toBe(false);
  });
  it('enforces bounds', () => {
    expect(envDuration({ minMs: 1000 }).safeParse('999').success).toBe(false);
    expect(envDuration({ maxMs: 1000 }).safeParse('2s').success).toBe(false);
  });
});

describe('envUrl', () => {
  const nats = envUrl({ protocols: ['nats:'] });
  it('accepts a URL with an allowed scheme', () => {
    expect(nats.parse(' nats://10.0.0.1:4222 ')).toBe('nats://10.0.0.1:4222');
    expect(envUrl({ protocols: ['http:', 'https:'] }).parse('https://chat.example.com/hooks/x')).toBe(
      'https://chat.example.com/hooks/x',
    );
  });
  it.each(['redis://127.0.0.1:6379', '127.0.0.1:4222', 'not a url', 'nats://'])('rejects %j for nats:', (raw) => {
    expect(nats.safeParse(raw).success).toBe(false);
  });
});

describe('envCsv', () => {
  it('trims items and drops empty ones', () => {
    expect(envCsv(envPort()).parse(' 21, 2121 ,,')).toEqual([21, 2121]);
  });
  it('rejects a list with one bad item and says which', () => {
    const result = envCsv(envPort()).safeParse('21,x');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([1]);
  });
  it('enforces a minimum number of items', () => {
    expect(envCsv(envPort(), { minItems: 1 }).safeParse(' , ').success).toBe(false);
  });
});

describe('envCidrList', () => {
  it('accepts IPv4 and IPv6 CIDRs and bare addresses', () => {
    expect(envCidrList().parse('10.0.0.0/8, 2001:db8::/32, 192.0.2.7, ::1')).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
      '192.0.2.7/32',
      '::1/128',
    ]);
  });
  it.each(['10.0.0.0/33', '2001:db8::/129', '10.0.0/8', 'host.example/24', '10.0.0.0/8/1', '10.0.0.0/x'])(
    'rejects %j',
    (raw) => {
      expect(envCidrList().safeParse(raw).success).toBe(false);
    },
  );
  it('builds a block list that matches addresses inside the ranges', () => {
    const list = cidrBlockList(envCidrList().parse('10.0.0.0/8,2001:db8::/32'));
    expect(list.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(list.check('11.0.0.1', 'ipv4')).toBe(false);
    expect(list.check('2001:db8::1', 'ipv6')).toBe(true);
  });
});

describe('envEnum and envLogLevel', () => {
  it('accepts listed values only', () => {
    const mode = envEnum(['passive', 'active']);
    expect(mode.parse(' passive ')).toBe('passive');
    expect(mode.safeParse('PASV').success).toBe(false);
  });
  it('reads log levels in any case and rejects unknown ones', () => {
    expect(envLogLevel().parse('DEBUG')).toBe('debug');
    expect(envLogLevel().safeParse('verbose').success).toBe(false);
  });
});

describe('envSecret', () => {
  it('accepts a long enough secret as is', () => {
    expect(envSecret({ minLength: 4 }).parse(' s3cr3t ')).toBe(' s3cr3t ');
  });
  it('rejects a short secret without quoting it', () => {
    const result = envSecret({ minLength: 16 }).safeParse('hunter2');
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain('hunter2');
  });
});
