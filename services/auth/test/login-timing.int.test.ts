import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type Bus } from '@ferry/bus';
import { AuthLogin } from '@ferry/contracts';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { startAuth, testBus, type AuthUnderTest } from './harness.js';

let nats: NatsServerHandle;
let auth: AuthUnderTest;
let bus: Bus;

beforeAll(async () => {
  nats = await startNats();
  // Cheap enough for a few hundred attempts, yet scrypt (~2 ms) dominates a NATS round trip (~0.2 ms),
  // so skipping it for unknown users would show as a ratio far below 0.5.
  auth = await startAuth(nats.url, { AUTH_SCRYPT_LOG_N: '10', AUTH_SCRYPT_R: '8', AUTH_SCRYPT_P: '1' });
  bus = await testBus(nats.url);
  await auth.api('POST', '/v1/users', { body: { username: 'alice', password: 'correct horse battery staple' } });
});

afterAll(async () => {
  await bus?.close();
  await auth?.stop();
  await nats?.stop();
});

/**
 * The one timing assertion of the suite, because it is a security property: a
 * refusal for an unknown user must not be measurably faster than one for a
 * wrong password, or user names could be enumerated. Attempts are interleaved
 * so that machine noise hits both sides alike; the bound is deliberately loose.
 */
describe('login timing', () => {
  it('an unknown user and a wrong password take comparable time', async () => {
    const attempt = async (username: string, i: number) => {
      const started = process.hrtime.bigint();
      const reply = await request(bus, AuthLogin, { username, password: `wrong password ${i}`, clientIp: '192.0.2.1', gateway: 'gw-1', sessionId: `t-${username}-${i}` });
      expect(reply).toEqual({ outcome: 'refused' });
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (let i = 0; i < 20; i++) await attempt(i % 2 === 0 ? 'alice' : 'nobody', -i); // warm-up
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 300; i++) {
      known.push(await attempt('alice', i));
      unknown.push(await attempt(`nobody${i}`, i));
    }
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const ratio = mean(unknown) / mean(known);
    expect(ratio, `unknown ${mean(unknown).toFixed(2)} ms vs wrong password ${mean(known).toFixed(2)} ms`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
