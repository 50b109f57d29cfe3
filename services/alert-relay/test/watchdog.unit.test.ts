import { describe, expect, it } from 'vitest';
import { RelayConfigSchema, type WatchdogRules } from '../src/domain/config.js';
import { evaluate, initialWatchdogState, observe, prune, type WatchdogInput, type WatchdogState } from '../src/domain/watchdog.js';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const rules = (watchdog: Record<string, unknown> = {}): WatchdogRules => RelayConfigSchema.parse({ watchdog }).watchdog;
const fold = (inputs: WatchdogInput[], state: WatchdogState = initialWatchdogState()) => inputs.reduce(observe, state);
const beat = (service: string, instance: string, at: number, extra: Partial<Extract<WatchdogInput, { kind: 'heartbeat' }>> = {}): WatchdogInput => ({ kind: 'heartbeat', service, instance, at, intervalMs: 1_000, ...extra });
const names = (alerts: ReturnType<typeof evaluate>) => alerts.map((a) => `${a.labels.alertname}:${a.labels.instance ?? a.labels.gateway ?? a.labels.consumer ?? a.labels.service}`).sort();

describe('ServiceDown', () => {
  const r = rules({ serviceDown: { thresholdMs: 2_000, intervalMultiplier: 3 } });

  it('fires when an instance is silent longer than max(threshold, k × its interval), per instance', () => {
    const state = fold([beat('auth', 'auth-1', T0), beat('auth', 'auth-2', T0 + 2_000)]);
    expect(evaluate(state, T0 + 3_000, r)).toEqual([]);
    expect(names(evaluate(state, T0 + 3_001, r))).toEqual(['ServiceDown:auth-1']);
  });

  it('uses the instance interval when k × interval exceeds the threshold', () => {
    const state = fold([beat('auth', 'auth-1', T0, { intervalMs: 5_000 })]);
    expect(evaluate(state, T0 + 15_000, r)).toEqual([]);
    expect(names(evaluate(state, T0 + 15_001, r))).toEqual(['ServiceDown:auth-1']);
  });

  it('stops firing when the instance beats again or stops cleanly', () => {
    const down = fold([beat('auth', 'auth-1', T0), beat('session', 's-1', T0)]);
    const back = fold([beat('auth', 'auth-1', T0 + 9_000)], down);
    expect(names(evaluate(back, T0 + 10_000, r))).toEqual(['ServiceDown:s-1']);
    const stopped = fold([{ kind: 'stopped', service: 'session', instance: 's-1', at: T0 + 500 }], back);
    expect(evaluate(stopped, T0 + 10_000, r)).toEqual([]);
  });

  it('ignores a stale heartbeat or a stale stop that arrives out of order', () => {
    const state = fold([beat('auth', 'a', T0 + 5_000), beat('auth', 'a', T0), { kind: 'stopped', service: 'auth', instance: 'a', at: T0 + 1_000 }]);
    expect(state.instances['auth/a']?.lastSeenAt).toBe(T0 + 5_000);
  });
});

describe('AllGatewaysDown', () => {
  const r = rules({ serviceDown: { thresholdMs: 2_000 } });

  it('fires (critical) only when every known gateway is silent', () => {
    const state = fold([beat('ftp-gateway', 'gw-1', T0), beat('ftp-gateway', 'gw-2', T0 + 5_000)]);
    expect(names(evaluate(state, T0 + 6_000, r))).toEqual(['ServiceDown:gw-1']);
    const all = evaluate(state, T0 + 9_000, r);
    expect(names(all)).toEqual(['AllGatewaysDown:ftp-gateway', 'ServiceDown:gw-1', 'ServiceDown:gw-2']);
    expect(all.find((a) => a.labels.alertname === 'AllGatewaysDown')?.labels.severity).toBe('critical');
  });

  it('does not fire when no gateway was ever seen', () => {
    expect(evaluate(fold([beat('auth', 'a', T0)]), T0 + 60_000, r).some((a) => a.labels.alertname === 'AllGatewaysDown')).toBe(false);
  });
});

describe('activity and load rules', () => {
  it('fires HighLoginFailureRate per gateway at the threshold within the window, and forgets old failures', () => {
    const r = rules({ loginFailures: { windowMs: 10_000, threshold: 3 } });
    const failures: WatchdogInput[] = [0, 1_000, 2_000].map((t) => ({ kind: 'login_failed', gateway: 'gw-1', at: T0 + t }));
    const state = fold([...failures, { kind: 'login_failed', gateway: 'gw-2', at: T0 }]);
    expect(names(evaluate(state, T0 + 3_000, r))).toEqual(['HighLoginFailureRate:gw-1']);
    expect(evaluate(state, T0 + 12_500, r)).toEqual([]);
    expect(prune(state, T0 + 20_000, r).loginFailures).toEqual({});
  });

  it('fires EventBufferFilling when a gateway buffer crosses the ratio', () => {
    const r = rules({ eventBuffer: { ratio: 0.5 } });
    const state = fold([beat('ftp-gateway', 'gw-1', T0, { eventBuffer: { depth: 600, capacity: 1000 } }), beat('ftp-gateway', 'gw-2', T0, { eventBuffer: { depth: 10, capacity: 1000 } })]);
    expect(names(evaluate(state, T0 + 100, r))).toEqual(['EventBufferFilling:gw-1']);
  });

  it('fires IndexerLag from the indexer heartbeat gauge', () => {
    const r = rules({ indexerLag: { gauge: 'consumer_lag', threshold: 100 } });
    const state = fold([beat('storage-indexer', 'idx-1', T0, { gauges: { consumer_lag: 150 } }), beat('auth', 'a', T0, { gauges: { consumer_lag: 999 } })]);
    expect(names(evaluate(state, T0 + 100, r))).toEqual(['IndexerLag:idx-1']);
  });

  it('fires DeadLetteredEvents per consumer and resolves when the window passes', () => {
    const r = rules({ deadLetters: { windowMs: 5_000, threshold: 1 } });
    const state = fold([{ kind: 'dead_lettered', consumer: 'indexer', at: T0 }]);
    expect(names(evaluate(state, T0 + 1_000, r))).toEqual(['DeadLetteredEvents:indexer']);
    expect(evaluate(state, T0 + 5_001, r)).toEqual([]);
  });

  it('turns a rule off with enabled: false', () => {
    const state = fold([beat('auth', 'a', T0)]);
    expect(evaluate(state, T0 + 1e6, rules({ serviceDown: { enabled: false } }))).toEqual([]);
  });
});
