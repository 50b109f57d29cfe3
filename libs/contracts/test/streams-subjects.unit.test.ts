import { describe, expect, it } from 'vitest';
import { decodeSubjectToken, eventSubjects, gatewayCommands, newEventId, streamNames, streamSpecs, subjectMatches, subjectToken } from '../src/index.js';

describe('subjects', () => {
  it('encodes a user name with dots and spaces as one subject token that decodes back', () => {
    const name = 'jane.doe@example.com';
    const subject = eventSubjects.user(name);
    expect(subject.split('.')).toHaveLength(4);
    expect(decodeSubjectToken(subject.split('.')[3]!)).toBe(name);
    expect(subjectToken('a b*>%')).toBe('a%20b%2A%3E%25');
  });

  it('matches NATS wildcards like the server does', () => {
    expect(subjectMatches('ferry.evt.>', 'ferry.evt.fs.mkdir')).toBe(true);
    expect(subjectMatches('ferry.evt.>', 'ferry.evt')).toBe(false);
    expect(subjectMatches('ferry.*.fs', 'ferry.evt.fs')).toBe(true);
    expect(subjectMatches('ferry.*.fs', 'ferry.evt.fs.mkdir')).toBe(false);
    expect(subjectMatches('ferry.evt.fs', 'ferry.evt.fs')).toBe(true);
  });

  it('addresses gateway commands to one gateway and refuses an invalid gateway id', () => {
    expect(gatewayCommands('gw-2').kick.subject).toBe('ferry.cmd.gateway.gw-2.kick');
    expect(() => gatewayCommands('GW.2')).toThrow();
  });
});

describe('streams', () => {
  it('no two streams claim overlapping subjects', () => {
    const specs = streamSpecs({ replicas: 1 });
    const probes = ['ferry.evt.user.alice', 'ferry.evt.auth.login.failed', 'ferry.evt.session.opened', 'ferry.evt.transfer.completed', 'ferry.evt.fs.mkdir', 'ferry.evt.health.heartbeat', 'ferry.evt.alert.fired', 'ferry.dlq.indexer'];
    for (const probe of probes) {
      expect(specs.filter((s) => s.subjects.some((p) => subjectMatches(p, probe))).length, probe).toBe(1);
    }
  });

  it('takes replicas and activity retention from options', () => {
    const specs = streamSpecs({ replicas: 3, activityMaxAgeMs: 1000 });
    expect(specs.every((s) => s.replicas === 3)).toBe(true);
    expect(specs.find((s) => s.name === streamNames.activity)?.maxAgeMs).toBe(1000);
    expect(specs.find((s) => s.name === streamNames.users)?.maxAgeMs).toBe(0);
  });

  it('refuses an impossible replica count', () => {
    expect(() => streamSpecs({ replicas: 0 })).toThrow(/replicas/);
    expect(() => streamSpecs({ replicas: 7 })).toThrow(/replicas/);
  });
});

describe('event ids', () => {
  it('are UUIDv7, unique and increasing within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newEventId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never share their random part (drawn from a pool, refilled many times over 5,000 ids)', () => {
    const ids = Array.from({ length: 5000 }, () => newEventId());
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });
});
