import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@ferry/telemetry';
import { RelayConfigSchema } from '../src/domain/config.js';
import { initialRelayState, type RelayState } from '../src/domain/model.js';
import type { DeliveryResult } from '../src/domain/delivery.js';
import { RelayEngine } from '../src/adapters/engine.js';
import { buildApp } from '../src/adapters/http-api.js';
import { amPayload } from './support/processes.js';

const ADMIN = 'a'.repeat(40);
const SECRET = 's'.repeat(40);
const auth = { authorization: `Bearer ${ADMIN}` };

function setup(options: { webhookToken?: string } = {}) {
  const posted: { url: string; body: unknown }[] = [];
  const saved: RelayState[] = [];
  let saveFails = false;
  const engine = new RelayEngine({
    config: RelayConfigSchema.parse({ receivers: [{ name: 'chat', url: 'https://chat.test/hooks/x' }], route: { receiver: 'chat', groupWaitMs: 0 } }),
    initialState: initialRelayState(),
    save: (state) => {
      if (saveFails) return Promise.reject(new Error('KV unavailable'));
      saved.push(state);
      return Promise.resolve();
    },
    publish: () => Promise.resolve(),
    post: (url, body): Promise<DeliveryResult> => {
      posted.push({ url, body });
      return Promise.resolve({ kind: 'delivered', httpStatus: 200 });
    },
    logger: createLogger({ service: 'alert-relay', instance: 'test', level: 'silent' }),
    clock: () => new Date(),
    random: () => 0.5,
    runbookBaseUrl: 'https://runbooks.test',
    actionBaseUrl: 'http://relay.test',
    actionSecret: SECRET,
  });
  const app = buildApp({ engine, adminToken: ADMIN, webhookToken: options.webhookToken, actionSecret: SECRET, clock: () => new Date(), logger: createLogger({ service: 'alert-relay', instance: 'test', level: 'silent' }) });
  return { app, engine, posted, saved, failSaves: (fail: boolean) => (saveFails = fail) };
}

const payload = amPayload('{}:{alertname="A"}', [{ labels: { alertname: 'A', severity: 'critical' }, fingerprint: 'aa11' }]);
let current: ReturnType<typeof setup> | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

describe('POST /alertmanager', () => {
  it('stores the payload before answering and answers duplicate for the same payload', async () => {
    current = setup();
    const first = await current.app.inject({ method: 'POST', url: '/alertmanager', payload });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ status: 'accepted' });
    expect(current.saved.length).toBeGreaterThan(0);
    expect(Object.keys(current.engine.snapshot.alerts)).toEqual(['aa11']);
    expect((await current.app.inject({ method: 'POST', url: '/alertmanager', payload })).json()).toEqual({ status: 'duplicate' });
  });

  it('answers 503 (so Alertmanager retries) only when the state cannot be stored', async () => {
    current = setup();
    current.failSaves(true);
    const response = await current.app.inject({ method: 'POST', url: '/alertmanager', payload });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: { code: 'STATE_UNAVAILABLE', message: 'the relay cannot store its state right now; retry' } });
    expect(JSON.stringify(response.json())).not.toContain('KV unavailable');
  });

  it('requires the webhook bearer token when one is configured', async () => {
    current = setup({ webhookToken: 'w'.repeat(20) });
    expect((await current.app.inject({ method: 'POST', url: '/alertmanager', payload })).statusCode).toBe(401);
    expect((await current.app.inject({ method: 'POST', url: '/alertmanager', payload, headers: { authorization: `Bearer ${'w'.repeat(20)}` } })).statusCode).toBe(200);
  });

  it('answers 400 for a body that is not JSON', async () => {
    current = setup();
    const response = await current.app.inject({ method: 'POST', url: '/alertmanager', payload: '{"version', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', field: '(body)' } });
  });
});

describe('admin API', () => {
  it('lists current alerts and groups, and delivers through the engine tick', async () => {
    current = setup();
    await current.app.inject({ method: 'POST', url: '/alertmanager', payload });
    await current.engine.tick();
    const alerts = await current.app.inject({ method: 'GET', url: '/api/alerts', headers: auth });
    expect(alerts.json()).toMatchObject({ alerts: [{ fingerprint: 'aa11', status: 'firing', origin: 'alertmanager' }], groups: [{ receiver: 'chat', fingerprints: ['aa11'] }] });
    await expect.poll(() => current!.posted.length).toBe(1);
    await expect.poll(async () => (await current!.app.inject({ method: 'GET', url: '/api/notifications', headers: auth })).json<unknown>()).toMatchObject({ notifications: [{ receiver: 'chat', outcome: 'delivered', attempts: 1 }] });
  });

  it('validates silences and names the field', async () => {
    current = setup();
    const cases: [unknown, string][] = [
      [{ matchers: [{ name: 'a', value: 'b' }], createdBy: 'x' }, 'durationMs'],
      [{ matchers: [{ name: 'a', value: 'b' }], durationMs: 1000, endsAt: new Date().toISOString(), createdBy: 'x' }, 'durationMs'],
      [{ matchers: [{ name: 'a', value: 'b' }], endsAt: '2000-01-01T00:00:00Z', createdBy: 'x' }, 'endsAt'],
      [{ matchers: [{ name: 'bad-name', value: 'b' }], durationMs: 1000, createdBy: 'x' }, 'matchers.0.name'],
      [{ matchers: [{ name: 'a', value: '(', isRegex: true }], durationMs: 1000, createdBy: 'x' }, 'matchers.0.value'],
      [{ matchers: [{ name: 'a', value: 'b' }], durationMs: 1000 }, 'createdBy'],
    ];
    for (const [body, field] of cases) {
      const response = await current.app.inject({ method: 'POST', url: '/api/silences', headers: auth, payload: body as object });
      expect(response.statusCode, field).toBe(400);
      expect(response.json(), field).toMatchObject({ error: { code: 'INVALID_REQUEST', field } });
    }
  });

  it('answers 404 for an unknown group to acknowledge and 400 for a bad limit', async () => {
    current = setup();
    expect((await current.app.inject({ method: 'POST', url: '/api/acknowledge', headers: auth, payload: { groupKey: 'nope', by: 'x' } })).statusCode).toBe(404);
    const bad = await current.app.inject({ method: 'GET', url: '/api/notifications?limit=abc', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { field: 'limit' } });
  });

  it('answers 400 for a button press without a token', async () => {
    current = setup();
    const response = await current.app.inject({ method: 'POST', url: '/actions/ack', payload: { user_name: 'alice' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { field: 'context' } });
    expect((await current.app.inject({ method: 'POST', url: '/actions/reboot', payload: { context: { token: 'x' } } })).statusCode).toBe(400);
  });
});
