import { describe, expect, it } from 'vitest';
import { register as globalRegistry } from 'prom-client';
import { createMetrics } from '../src/index.js';

describe('createMetrics', () => {
  it('registers counters, gauges and histograms on its own registry with service and instance labels', async () => {
    const metrics = createMetrics({ service: 'auth', instance: 'auth-1', collectDefaults: false });
    metrics.counter({ name: 'ferry_logins_total', help: 'Logins', labelNames: ['result'] as const }).inc({ result: 'ok' });
    metrics.gauge({ name: 'ferry_sessions', help: 'Open sessions' }).set(3);
    metrics.histogram({ name: 'ferry_login_seconds', help: 'Login time', buckets: [0.1, 1] }).observe(0.05);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ferry_logins_total{result="ok",service="auth",instance="auth-1"} 1');
    expect(text).toContain('ferry_sessions{service="auth",instance="auth-1"} 3');
    expect(text).toContain('ferry_login_seconds_bucket{le="0.1",service="auth",instance="auth-1"} 1');
    expect(await globalRegistry.metrics()).not.toContain('ferry_logins_total');
  });

  it('collects process metrics by default', async () => {
    const metrics = createMetrics({ service: 'auth', instance: 'auth-1' });
    expect(await metrics.registry.metrics()).toMatch(/process_cpu_user_seconds_total\{service="auth",instance="auth-1"\}/);
  });

  it('lets two services in one process use the same metric names', () => {
    const first = createMetrics({ service: 'a', instance: '1', collectDefaults: false });
    const second = createMetrics({ service: 'b', instance: '1', collectDefaults: false });
    first.counter({ name: 'ferry_events_total', help: 'Events' });
    expect(() => second.counter({ name: 'ferry_events_total', help: 'Events' })).not.toThrow();
  });
});
