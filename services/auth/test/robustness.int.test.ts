import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type Bus } from '@ferry/bus';
import { AuthLogin, eventSubjects } from '@ferry/contracts';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { namesOf, startAuth, testBus, type AuthUnderTest } from './harness.js';

let nats: NatsServerHandle;
let auth: AuthUnderTest;
let bus: Bus;

const PASSWORD = 'correct horse battery staple';
const login = (username: string, password = PASSWORD) => request(bus, AuthLogin, { username, password, clientIp: '192.0.2.1', gateway: 'gw-1', sessionId: 's-1' });

beforeAll(async () => {
  nats = await startNats();
  bus = await testBus(nats.url);
  auth = await startAuth(nats.url, { AUTH_PASSWORD_MIN_LENGTH: '20' });
});

afterAll(async () => {
  await bus?.close();
  await auth?.stop();
  await nats?.stop();
});

describe('auth under odd input', () => {
  it('of two simultaneous creates of one name, exactly one succeeds and the other is told the name exists', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => auth.api('POST', '/v1/users', { body: { username: 'racer' } })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409]);
    for (const answer of answers.filter((a) => a.status === 409)) expect(answer.body.error.code).toBe('USER_ALREADY_EXISTS');
    const shown = (await auth.api('GET', '/v1/users/racer')).body;
    expect(shown.events).toHaveLength(1);
    const winner = answers.find((answer) => answer.status === 201)!;
    expect(await login('racer', String(winner.body.generatedPassword))).toMatchObject({ outcome: 'accepted' });
  });

  it('handles user names with dots and @ (encoded in the subject) like any other', async () => {
    expect((await auth.api('POST', '/v1/users', { body: { username: 'first.last@example.com', password: `${PASSWORD}!!!!!!` } })).status).toBe(201);
    expect((await auth.api('POST', '/v1/users', { body: { username: 'first', password: `${PASSWORD}!!!!!!` } })).status).toBe(201);
    expect(await login('first.last@example.com', `${PASSWORD}!!!!!!`)).toMatchObject({ outcome: 'accepted', username: 'first.last@example.com', profile: { home: 'first.last@example.com' } });
    expect((await auth.api('GET', '/v1/users/first.last%40example.com')).body.events).toHaveLength(1);
    expect((await auth.api('GET', '/v1/users/first')).body.events).toHaveLength(1);
  });

  it('applies the configured minimum password length', async () => {
    const answer = await auth.api('POST', '/v1/users', { body: { username: 'shorty', password: 'nineteen-characters' } });
    expect(answer.body.error).toEqual({ code: 'PASSWORD_POLICY', message: 'password must be at least 20 characters long', field: 'password' });
    expect((await auth.api('POST', '/v1/users', { body: { username: 'shorty' } })).body.generatedPassword).toHaveLength(24);
  });

  it('skips an unreadable message on a user subject, stays ready, and keeps serving', async () => {
    await bus.js.publish(eventSubjects.user('garbage'), new TextEncoder().encode('{"not":"an event"}'));
    await bus.js.publish(eventSubjects.user('garbage'), new TextEncoder().encode('not even json'));
    expect((await auth.api('POST', '/v1/users', { body: { username: 'after-garbage', password: `${PASSWORD}!!!!!!` } })).status).toBe(201);
    expect(await login('after-garbage', `${PASSWORD}!!!!!!`)).toMatchObject({ outcome: 'accepted' });
    expect(await login('garbage')).toEqual({ outcome: 'refused' });
    expect((await fetch(`${auth.opsUrl}/readyz`)).status).toBe(200);
    expect((await auth.api('GET', '/v1/users/garbage')).status).toBe(404);
    // A restarted instance replays past the unreadable messages too.
    const second = await startAuth(nats.url);
    try {
      await expect.poll(async () => (await fetch(`${second.opsUrl}/readyz`)).status, { timeout: 10_000 }).toBe(200);
      expect(namesOf((await second.api('GET', '/v1/users')).body.users)).toContain('after-garbage');
    } finally {
      await second.stop();
    }
  });
});
