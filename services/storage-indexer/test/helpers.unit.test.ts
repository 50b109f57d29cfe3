import { describe, expect, it } from 'vitest';
import { addressKey, cidrRange } from '../src/domain/ip.js';
import { lagCheck, lagOf } from '../src/domain/lag.js';
import { loadConfig } from '@ferry/config';
import { IndexerEnv } from '../src/config.js';
import { formatDuration, formatProgress } from '../src/domain/progress.js';
import { csvField, csvLine } from '../src/adapters/http/export.js';
import { parseQuery, TransfersQuery } from '../src/adapters/http/params.js';
import { decodeCursor, encodeCursor } from '../src/adapters/pagination.js';
import { QueryParamError } from '../src/adapters/http/errors.js';
import { parentsOf, isSameOrBelow } from '../src/domain/catalog.js';

describe('client address keys', () => {
  it('an IPv4 address sorts inside its IPv4-mapped IPv6 range', () => {
    expect(addressKey('10.1.2.3')).toBe('00000000000000000000ffff0a010203');
    expect(addressKey('::ffff:10.1.2.3')).toBe(addressKey('10.1.2.3'));
  });
  it('IPv6 forms with :: expand to the same key', () => {
    expect(addressKey('2001:db8::7')).toBe(addressKey('2001:0db8:0000:0000:0000:0000:0000:0007'));
    expect(addressKey('::1')).toBe('00000000000000000000000000000001');
    expect(addressKey('fe80::1%eth0')).toBe(addressKey('fe80::1'));
  });
  it('text that is not an address has no key', () => {
    for (const bad of ['', '10.1.2', '10.1.2.256', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', 'localhost']) expect(addressKey(bad)).toBeUndefined();
  });
  it('a CIDR covers exactly its addresses', () => {
    const range = cidrRange('10.1.0.0/16')!;
    const inside = (ip: string) => addressKey(ip)! >= range.first && addressKey(ip)! <= range.last;
    expect([inside('10.1.0.0'), inside('10.1.255.255'), inside('10.2.0.0'), inside('10.0.255.255')]).toEqual([true, true, false, false]);
    const v6 = cidrRange('2001:db8::/32')!;
    expect(addressKey('2001:db8:ffff::1')! <= v6.last && addressKey('2001:db8::')! >= v6.first).toBe(true);
    expect(addressKey('2001:db9::')! > v6.last).toBe(true);
    expect(cidrRange('10.1.2.3')).toEqual({ first: addressKey('10.1.2.3'), last: addressKey('10.1.2.3') });
    expect(cidrRange('0.0.0.0/0')).toEqual({ first: '00000000000000000000ffff00000000', last: '00000000000000000000ffffffffffff' });
  });
  it('a bad CIDR has no range', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/x', '10.0.0.0/8/8', 'nope/8']) expect(cidrRange(bad)).toBeUndefined();
  });
});

describe('paths', () => {
  it('lists the folders above a path, and tells what lies below a folder', () => {
    expect(parentsOf('/a/b/c.txt')).toEqual(['/a', '/a/b']);
    expect(parentsOf('/top')).toEqual([]);
    expect([isSameOrBelow('/a/b', '/a'), isSameOrBelow('/a', '/a'), isSameOrBelow('/ab', '/a'), isSameOrBelow('/x', '/')]).toEqual([true, true, false, true]);
  });
});

describe('lag', () => {
  it('is zero when the applied sequence is the last one', () => expect(lagOf({ lastSeq: 5, lastTime: 9_000 }, { streamSeq: 5, eventTime: 1_000 })).toEqual({ events: 0, secondsBehind: 0 }));
  it('counts the events and seconds behind the newest message', () => expect(lagOf({ lastSeq: 15, lastTime: 9_000 }, { streamSeq: 5, eventTime: 1_000 })).toEqual({ events: 10, secondsBehind: 8 }));
  it('is unknown in seconds before the first applied event', () => expect(lagOf({ lastSeq: 3, lastTime: 9_000 }, { streamSeq: 0, eventTime: null })).toEqual({ events: 3, secondsBehind: null }));
});

describe('progress bar', () => {
  it('shows done/total, percentage, rate and ETA', () => {
    expect(formatProgress({ done: 5_000, total: 20_000, elapsedMs: 2_000 }, 10)).toBe('[##........] 5,000 / 20,000 events  25.0%  2,500 ev/s  ETA 6s');
    expect(formatProgress({ done: 20_000, total: 20_000, elapsedMs: 4_000 }, 4)).toBe('[####] 20,000 / 20,000 events  100.0%  5,000 ev/s  ETA 0s');
    expect(formatProgress({ done: 0, total: 0, elapsedMs: 0 }, 2)).toBe('[##] 0 / 0 events  100.0%  0 ev/s  ETA 0s');
    expect(formatProgress({ done: 0, total: 10, elapsedMs: 1_000 }, 2)).toContain('ETA ?');
  });
  it('writes long durations in minutes and hours', () => expect([formatDuration(59), formatDuration(61), formatDuration(3_725)]).toEqual(['59s', '1m01s', '1h02m']));
});

describe('CSV fields', () => {
  it('quotes commas, quotes and line breaks, and leaves empty cells for nulls', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'x\ny', null, 3, true])).toBe('a,"b,c","say ""hi""","x\ny",,3,true\r\n');
  });
  it('defuses spreadsheet formulas in text cells', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-5)).toBe('-5');
  });
});

describe('query parameters', () => {
  const error = (query: Record<string, unknown>) => {
    try {
      parseQuery(TransfersQuery, query);
    } catch (e) {
      return e as QueryParamError;
    }
    throw new Error('accepted');
  };
  it('parses times, numbers and CIDRs', () => {
    expect(parseQuery(TransfersQuery, { from: '2026-11-01T00:00:00Z', limit: '10', client: '10.0.0.0/8' })).toMatchObject({ from: Date.parse('2026-11-01T00:00:00Z'), limit: 10, client: cidrRange('10.0.0.0/8') });
  });
  it('names the parameter and what is expected', () => {
    expect(error({ limit: 'ten' })).toMatchObject({ field: 'limit', code: 'QUERY_INVALID_PARAM', message: 'limit: expected a whole number from 1 to 1000' });
    expect(error({ verbose: '1' })).toMatchObject({ field: 'verbose', message: 'verbose: unknown query parameter' });
    expect(error({ user: ['a', 'b'] })).toMatchObject({ field: 'user', message: 'user: expected a single value' });
  });
  it('round-trips a cursor and refuses one made for the other order or forged', () => {
    expect(decodeCursor(encodeCursor([123, 'id-1'], 'desc'), 'desc')).toEqual([123, 'id-1']);
    expect(() => decodeCursor(encodeCursor([123, 'id-1'], 'desc'), 'asc')).toThrow(QueryParamError);
    expect(() => decodeCursor(Buffer.from('[1,2,3]').toString('base64url'), 'asc')).toThrow(/cursor: expected/);
  });
});

describe('readiness of the lag', () => {
  it('is not ready before the first measurement', () => expect(lagCheck(undefined, 60)).toEqual({ ok: false, detail: 'lag not measured yet' }));
  it('is ready when caught up or within the allowed lag', () => {
    expect(lagCheck({ events: 0, secondsBehind: 0 }, 60)).toEqual({ ok: true, events: 0, secondsBehind: 0 });
    expect(lagCheck({ events: 10, secondsBehind: 60 }, 60).ok).toBe(true);
  });
  it('is not ready further behind, or behind by an unknown time', () => {
    expect(lagCheck({ events: 10, secondsBehind: 61 }, 60)).toEqual({ ok: false, events: 10, secondsBehind: 61, detail: 'more than 60s behind FERRY_ACTIVITY' });
    expect(lagCheck({ events: 3, secondsBehind: null }, 60).ok).toBe(false);
  });
});

describe('configuration', () => {
  const env = { FERRY_API_PORT: '0', FERRY_QUERY_TOKEN: 'q'.repeat(32), FERRY_STATE_DIR: '/tmp/x' };
  it('accepts the standard variables and applies the defaults', () => {
    expect(loadConfig(IndexerEnv, env)).toMatchObject({ FERRY_API_HOST: '127.0.0.1', FERRY_INDEXER_BATCH: 2_000, FERRY_INDEXER_DURABLE: 'storage-indexer', FERRY_INDEXER_MAX_LAG: 300_000 });
  });
  it('refuses a query token equal to the admin token, and a short one, naming the variable', () => {
    expect(() => loadConfig(IndexerEnv, { ...env, FERRY_ADMIN_TOKEN: 'q'.repeat(32) })).toThrow(/FERRY_QUERY_TOKEN/);
    expect(() => loadConfig(IndexerEnv, { ...env, FERRY_QUERY_TOKEN: 'short' })).toThrow(/FERRY_QUERY_TOKEN/);
    expect(() => loadConfig(IndexerEnv, { FERRY_QUERY_TOKEN: 'q'.repeat(32) })).toThrow(/FERRY_API_PORT[\s\S]*FERRY_STATE_DIR|FERRY_STATE_DIR[\s\S]*FERRY_API_PORT/);
  });
});
