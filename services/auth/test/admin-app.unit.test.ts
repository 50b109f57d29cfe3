import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app.js';
import type { UserAdmin } from '../src/user-admin.js';

/** The checks in front of the use cases, driven with inject(): none of them may reach the admin. */
const unreachable = new Proxy({} as UserAdmin, {
  get: (_target, property) => {
    throw new Error(`the request reached UserAdmin.${String(property)}`);
  },
});
const errors: unknown[] = [];
const TOKEN = 'unit-test-admin-token-0123456789abcdef';
const app = buildApp({ admin: unreachable, adminToken: TOKEN, logger: { error: (details) => errors.push(details) }, version: 'test' });
const auth = { authorization: `Bearer ${TOKEN}` };

afterAll(async () => {
  await app.close();
});

describe('admin app (inject)', () => {
  it('answers 401 before anything else without the right token', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: `Basic ${TOKEN}` }]) {
      const response = await app.inject({ method: 'POST', url: '/v1/users', headers, payload: { username: 'x' } });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'missing or wrong admin token: send Authorization: Bearer <FERRY_ADMIN_TOKEN>' } });
    }
  });

  it('serves /openapi.json without a token, also with a query string', async () => {
    expect((await app.inject({ method: 'GET', url: '/openapi.json?x=1' })).statusCode).toBe(200);
  });

  it.each([
    ['POST', '/v1/users', { username: '' }, 'username'],
    ['POST', '/v1/users', { username: 'ok', quotaBytes: -1 }, 'quotaBytes'],
    ['PATCH', '/v1/users/ok', { allowedCidrs: 'any' }, 'allowedCidrs'],
    ['PUT', '/v1/users/ok/password', { password: 42 }, 'password'],
    ['POST', '/v1/users/ok/disable', { reason: 7 }, 'reason'],
    ['POST', '/v1/users/ok/disable', { why: 'x' }, 'why'],
  ] as const)('%s %s with a bad body answers 400 naming %s', async (method, url, payload, field) => {
    const response = await app.inject({ method, url, headers: auth, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', field } });
  });

  it('refuses a body that is not a JSON object, naming the body', async () => {
    const text = await app.inject({ method: 'POST', url: '/v1/users', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'username=x' });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', field: '(body)' } });
    const xml = await app.inject({ method: 'POST', url: '/v1/users', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<user/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toEqual({ error: { code: 'INVALID_REQUEST', message: 'send the body as application/json', field: '(body)' } });
  });

  it('answers a bug as 500 INTERNAL without its text, and logs it', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/users', headers: auth });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    expect(response.body).not.toContain('reached UserAdmin');
    expect(errors).toHaveLength(1);
  });
});
