import { describe, expect, it } from 'vitest';
import {
  allEventDefinitions,
  ContractViolationError,
  createEvent,
  eventFactory,
  parseEvent,
  streamSpecs,
  subjectMatches,
  subjectOf,
  TransferCompleted,
  UserCreated,
  type TransferCompleted as TransferCompletedEvent,
} from '../src/index.js';
import { exampleDataFor } from '../src/testing.js';

const source = 'ftp-gateway/gw-1';

/** A deep copy with one field replaced, for "rejects invalid X" cases. */
function withField(data: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(data) as Record<string, unknown>;
  let cursor: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete cursor[last];
  else cursor[last] = value;
  return copy;
}

describe('every event type', () => {
  it.each(allEventDefinitions.map((d) => [d.type, d] as const))('%s accepts its valid example and round-trips through JSON', (_type, definition) => {
    const event = createEvent(definition, exampleDataFor(definition), { source });
    const parsed = parseEvent(JSON.stringify(event));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.event).toEqual(event);
  });

  it.each(allEventDefinitions.map((d) => [d.type, d] as const))('%s rejects data with a missing field and names it', (_type, definition) => {
    const example = exampleDataFor(definition) as Record<string, unknown>;
    const firstField = Object.keys(example)[0]!;
    const bad = { specversion: '1.0', id: '0193a6c2-7d1e-7000-8000-000000000001', source, type: definition.type, time: '2026-11-22T10:00:00Z', data: withField(example, [firstField], undefined) };
    const parsed = parseEvent(bad);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe('EVENT_INVALID_DATA');
      expect(parsed.error.field).toBe(`data.${firstField}`);
      expect(parsed.error.message).toContain(`data.${firstField}`);
    }
  });

  it.each(allEventDefinitions.map((d) => [d.type, d] as const))('%s has a subject inside exactly one stream', (_type, definition) => {
    const subject = definition.subjectOf(exampleDataFor(definition));
    const owners = streamSpecs({ replicas: 1 }).filter((stream) => stream.subjects.some((pattern) => subjectMatches(pattern, subject)));
    expect(owners.map((s) => s.name)).toHaveLength(1);
  });

  it('every event type is named ferry.<domain>.<event>.v<N> and is unique', () => {
    const types = allEventDefinitions.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    for (const type of types) expect(type).toMatch(/^ferry\.[a-z_]+(\.[a-z_]+)+\.v\d+$/);
  });
});

describe('field-level validation', () => {
  const cases: Array<[string, (typeof allEventDefinitions)[number], string[], unknown, string]> = [
    ['a negative byte count', TransferCompleted, ['bytes'], -1, 'data.bytes'],
    ['a path escaping the home', TransferCompleted, ['path'], '/a/../../etc/passwd', 'data.path'],
    ['a path with a NUL byte', TransferCompleted, ['path'], '/a\0b', 'data.path'],
    ['an invalid client address', TransferCompleted, ['clientIp'], '999.1.1.1', 'data.clientIp'],
    ['an unknown direction', TransferCompleted, ['direction'], 'sideways', 'data.direction'],
    ['a wrong status literal', TransferCompleted, ['status'], 'failed', 'data.status'],
    ['a bad CIDR in the profile', UserCreated, ['profile', 'allowedCidrs'], ['10.0.0.0/33'], 'data.profile.allowedCidrs[0]'],
    ['an absolute home folder', UserCreated, ['profile', 'home'], '/etc', 'data.profile.home'],
    ['a plain-text password where a hash belongs', UserCreated, ['passwordHash'], 'hunter2hunter2', 'data.passwordHash'],
    ['a user name with spaces', UserCreated, ['username'], 'bob smith', 'data.username'],
  ];

  it.each(cases)('rejects %s, naming %s', (_what, definition, path, value, field) => {
    const data = withField(exampleDataFor(definition), path, value);
    expect(() => createEvent(definition, data as never, { source })).toThrowError(ContractViolationError);
    try {
      createEvent(definition, data as never, { source });
    } catch (error) {
      expect((error as ContractViolationError).field).toBe(field);
      expect((error as Error).message).toContain(field);
    }
  });
});

describe('parseEvent', () => {
  const valid = createEvent(TransferCompleted, exampleDataFor(TransferCompleted), { source });

  it('reports bytes that are not JSON', () => {
    const parsed = parseEvent(Buffer.from('{"specversion":'));
    expect(parsed.ok ? 'ok' : parsed.error.code).toBe('EVENT_INVALID_JSON');
  });

  it('reports a broken envelope with the field', () => {
    const parsed = parseEvent({ ...valid, specversion: '0.3' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect([parsed.error.code, parsed.error.field]).toEqual(['EVENT_INVALID_ENVELOPE', 'specversion']);
  });

  it('reports an unknown event type without throwing', () => {
    const parsed = parseEvent({ ...valid, type: 'ferry.transfer.teleported.v1' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect([parsed.error.code, parsed.error.eventType]).toEqual(['EVENT_UNKNOWN_TYPE', 'ferry.transfer.teleported.v1']);
  });

  it('accepts a newer producer with extra fields and drops them', () => {
    const newer = { ...valid, extension: 'x', data: { ...valid.data, checksum: 'sha256:abc' } };
    const parsed = parseEvent<TransferCompletedEvent>(newer);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.event.data).not.toHaveProperty('checksum');
  });

  it('restricts to the definitions a consumer knows', () => {
    const parsed = parseEvent(valid, [UserCreated]);
    expect(parsed.ok ? 'ok' : parsed.error.code).toBe('EVENT_UNKNOWN_TYPE');
  });
});

describe('eventFactory', () => {
  it('fills id, time and source, and derives the subject from the data', () => {
    const at = new Date('2026-11-22T12:00:00.000Z');
    const make = eventFactory('auth/auth-1', () => at);
    const event = make(UserCreated, exampleDataFor(UserCreated));
    expect(event.source).toBe('auth/auth-1');
    expect(event.time).toBe(at.toISOString());
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(subjectOf(event)).toBe('ferry.evt.user.alice');
  });
});
