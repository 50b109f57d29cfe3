import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { namesOf, startAuth, typesOf, type AuthUnderTest } from './harness.js';

let nats: NatsServerHandle;
let auth: AuthUnderTest;

beforeAll(async () => {
  nats = await startNats();
  auth = await startAuth(nats.url);
});

afterAll(async () => {
  await auth?.stop();
  await nats?.stop();
});

const PASSWORD = 'correct horse battery staple';

describe('admin API token check', () => {
  it.each([
    ['no token', null],
    ['a wrong token', 'wrong-token-wrong-token-wrong-token-wrong'],
    ['an empty token', ''],
  ])('answers 401 with %s, for reads and writes alike', async (_label, token) => {
    for (const [method, path, body] of [
      ['GET', '/v1/users', undefined],
      ['POST', '/v1/users', { username: 'mallory' }],
      ['DELETE', '/v1/users/demo', undefined],
      ['GET', '/v1/nowhere', undefined],
    ] as const) {
      const response = await auth.api(method, path, { token, body });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHORIZED');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await auth.api('GET', '/v1/users/mallory')).status).toBe(404);
  });

  it('serves the OpenAPI document without a token, generated from the schemas', async () => {
    const response = await auth.api('GET', '/openapi.json', { token: null });
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.0.3');
    expect(Object.keys(response.body.paths as object)).toEqual(expect.arrayContaining(['/v1/users', '/v1/users/{username}', '/v1/users/{username}/password', '/v1/users/{username}/disable', '/v1/users/{username}/enable']));
    const create = response.body.paths['/v1/users'].post.requestBody.content['application/json'].schema;
    expect(create.properties.username.pattern).toBeDefined();
    expect(create.required).toEqual(['username']);
    expect(Object.keys(response.body.paths['/v1/users/{username}'] as object)).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(response.body.paths['/v1/users'].post.requestBody.required).toBe(true);
    const show = response.body.paths['/v1/users/{username}'].get;
    expect(show.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'username', in: 'path', schema: expect.objectContaining({ pattern: expect.any(String) }) }), expect.objectContaining({ name: 'events', in: 'query' })]));
    expect(response.body.paths['/v1/users/{username}/disable'].post.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'If-Match', in: 'header' })]));
  });
});

describe('admin API operations', () => {
  it('creates a user with a given password and shows it without any hash', async () => {
    const created = await auth.api('POST', '/v1/users', { body: { username: 'alice', password: PASSWORD, maxSessions: 2, allowedCidrs: ['10.0.0.0/8'] } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ username: 'alice', version: expect.any(Number), changed: true });
    const shown = await auth.api('GET', '/v1/users/alice');
    expect(shown.status).toBe(200);
    expect(shown.body.user).toMatchObject({ username: 'alice', status: 'active', version: created.body.version, profile: { home: 'alice', maxSessions: 2, allowedCidrs: ['10.0.0.0/8'] } });
    expect(shown.body.user.profile.permissions).toEqual({ read: true, write: true, delete: true, mkdir: true, rename: true });
    expect(shown.body.events).toHaveLength(1);
    expect(shown.body.events[0]).toMatchObject({ type: 'ferry.user.created.v1', by: 'api' });
    expect(JSON.stringify(shown.body)).not.toMatch(/scrypt|passwordHash|correct horse/);
  });

  it('creates a user with a generated password returned once, and answers 409 when the name exists', async () => {
    const created = await auth.api('POST', '/v1/users', { body: { username: 'demo' } });
    expect(created.status).toBe(201);
    expect(created.body.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const again = await auth.api('POST', '/v1/users', { body: { username: 'demo', generatePassword: true } });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'USER_ALREADY_EXISTS', message: 'user demo already exists' });
    const shown = await auth.api('GET', '/v1/users/demo');
    expect(JSON.stringify(shown.body)).not.toContain(created.body.generatedPassword);
  });

  it('lists users in name order, without deleted ones', async () => {
    await auth.api('POST', '/v1/users', { body: { username: 'zed-gone', password: PASSWORD } });
    await auth.api('DELETE', '/v1/users/zed-gone');
    const listed = await auth.api('GET', '/v1/users');
    expect(listed.status).toBe(200);
    const names = namesOf(listed.body.users);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['alice', 'demo']));
    expect(names).not.toContain('zed-gone');
  });

  it('changes the profile, recording only what changed', async () => {
    const changed = await auth.api('PATCH', '/v1/users/alice', { body: { home: 'teams/ops', maxSessions: 2, permissions: { read: true, write: false, delete: false, mkdir: false, rename: false } } });
    expect(changed.status).toBe(200);
    expect(changed.body.changed).toBe(true);
    const shown = await auth.api('GET', '/v1/users/alice?events=1');
    expect(shown.body.user.profile).toMatchObject({ home: 'teams/ops', maxSessions: 2, permissions: { write: false } });
    expect(shown.body.events).toEqual([expect.objectContaining({ type: 'ferry.user.profile_changed.v1', data: expect.objectContaining({ changes: { home: 'teams/ops', permissions: expect.any(Object) } }) })]);
    expect((await auth.api('GET', '/v1/users/alice?events=0')).body.events).toEqual([]);
    expect((await auth.api('GET', '/v1/users/alice')).headers.get('etag')).toBe(`"${changed.body.version}"`);
    const same = await auth.api('PATCH', '/v1/users/alice', { body: { home: 'teams/ops' } });
    expect(same.body).toMatchObject({ changed: false, version: changed.body.version });
  });

  it('sets a given password, or generates one and returns it once', async () => {
    const set = await auth.api('PUT', '/v1/users/alice/password', { body: { password: `${PASSWORD}!` } });
    expect(set.status).toBe(200);
    expect(set.body.generatedPassword).toBeUndefined();
    const generated = await auth.api('PUT', '/v1/users/alice/password', { body: { generatePassword: true } });
    expect(generated.body.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const shown = await auth.api('GET', '/v1/users/alice?events=2');
    expect(typesOf(shown.body.events)).toEqual(['ferry.user.password_changed.v1', 'ferry.user.password_changed.v1']);
    expect(JSON.stringify(shown.body)).not.toMatch(/scrypt|passwordHash/);
  });

  it('disables with a reason and enables, both idempotent, recording who did it', async () => {
    const disabled = await auth.api('POST', '/v1/users/alice/disable', { body: { reason: 'on leave' }, headers: { 'x-ferry-actor': 'cli:root' } });
    expect(disabled.body.changed).toBe(true);
    expect((await auth.api('POST', '/v1/users/alice/disable')).body.changed).toBe(false);
    const shown = await auth.api('GET', '/v1/users/alice?events=1');
    expect(shown.body.user).toMatchObject({ status: 'disabled', disabledReason: 'on leave' });
    expect(shown.body.events[0]).toMatchObject({ type: 'ferry.user.disabled.v1', by: 'api:cli:root' });
    expect((await auth.api('POST', '/v1/users/alice/enable')).body.changed).toBe(true);
    expect((await auth.api('POST', '/v1/users/alice/enable')).body.changed).toBe(false);
    expect((await auth.api('GET', '/v1/users/alice')).body.user.status).toBe('active');
  });

  it('deletes a user, keeps its audit trail, and lets the name be created again from scratch', async () => {
    await auth.api('POST', '/v1/users', { body: { username: 'carol', password: PASSWORD, maxSessions: 5 } });
    expect((await auth.api('DELETE', '/v1/users/carol')).status).toBe(200);
    const gone = await auth.api('GET', '/v1/users/carol');
    expect(gone.body.user).toMatchObject({ username: 'carol', status: 'deleted' });
    expect((await auth.api('DELETE', '/v1/users/carol')).status).toBe(404);
    expect((await auth.api('POST', '/v1/users/carol/disable')).status).toBe(404);
    const again = await auth.api('POST', '/v1/users', { body: { username: 'carol', password: PASSWORD } });
    expect(again.status).toBe(201);
    const shown = await auth.api('GET', '/v1/users/carol');
    expect(shown.body.user).toMatchObject({ status: 'active', profile: { maxSessions: 10 } });
    expect(typesOf(shown.body.events)).toEqual(['ferry.user.created.v1', 'ferry.user.deleted.v1', 'ferry.user.created.v1']);
  });

  it('answers 404 naming the user for every operation on a user that never existed', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/users/nobody', undefined],
      ['PATCH', '/v1/users/nobody', { maxSessions: 1 }],
      ['PUT', '/v1/users/nobody/password', { password: PASSWORD }],
      ['POST', '/v1/users/nobody/disable', undefined],
      ['POST', '/v1/users/nobody/enable', undefined],
      ['DELETE', '/v1/users/nobody', undefined],
    ] as const) {
      const response = await auth.api(method, path, { body });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error).toEqual({ code: 'USER_NOT_FOUND', message: 'user nobody does not exist' });
    }
  });
});

describe('admin API bad input', () => {
  it.each([
    ['a missing user name', {}, 'username'],
    ['a user name with a space', { username: 'bad name' }, 'username'],
    ['a user name starting with a dot', { username: '.hidden' }, 'username'],
    ['a too short password', { username: 'eve', password: 'short' }, 'password'],
    ['a password and generatePassword together', { username: 'eve', password: PASSWORD, generatePassword: true }, 'generatePassword'],
    ['generatePassword false without a password', { username: 'eve', generatePassword: false }, 'password'],
    ['an absolute home', { username: 'eve', home: '/etc' }, 'home'],
    ['a home escaping with ..', { username: 'eve', home: 'a/../../b' }, 'home'],
    ['a zero session limit', { username: 'eve', maxSessions: 0 }, 'maxSessions'],
    ['a fractional session limit', { username: 'eve', maxSessions: 1.5 }, 'maxSessions'],
    ['a bad CIDR', { username: 'eve', allowedCidrs: ['10.0.0.0/33'] }, 'allowedCidrs.0'],
    ['a permission missing', { username: 'eve', permissions: { read: true } }, 'permissions.write'],
    ['an unknown field', { username: 'eve', admin: true }, 'admin'],
    ['a body that is not an object', [1, 2], '(body)'],
  ])('refuses create with %s: 400 naming the field', async (_label, body, field) => {
    const response = await auth.api('POST', '/v1/users', { body });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ field });
    expect(['INVALID_REQUEST', 'PASSWORD_POLICY']).toContain(response.body.error.code);
    expect(response.body.error.message).toContain(field === '(body)' ? '' : field);
  });

  it('never repeats a refused password in the error', async () => {
    const response = await auth.api('POST', '/v1/users', { body: { username: 'eve', password: 'Sh0rtSecret' } });
    expect(response.body.error).toEqual({ code: 'PASSWORD_POLICY', message: 'password must be at least 12 characters long', field: 'password' });
  });

  it('refuses a body that is not JSON, naming the body', async () => {
    const response = await auth.api('POST', '/v1/users', { body: '{"username":' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'INVALID_REQUEST', field: '(body)' });
  });

  it('refuses an empty profile change and unknown profile fields', async () => {
    expect((await auth.api('PATCH', '/v1/users/demo', { body: {} })).body.error).toMatchObject({ field: '(body)' });
    expect((await auth.api('PATCH', '/v1/users/demo', { body: { username: 'x' } })).body.error).toMatchObject({ field: 'username' });
    expect((await auth.api('PATCH', '/v1/users/demo', { body: { maxSessions: 'many' } })).body.error).toMatchObject({ field: 'maxSessions' });
  });

  it('refuses a bad user name in the path, a bad events count and a bad If-Match', async () => {
    expect((await auth.api('GET', '/v1/users/bad%20name')).body.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'username' });
    expect((await auth.api('GET', '/v1/users/demo?events=-1')).body.error).toMatchObject({ field: 'events' });
    expect((await auth.api('GET', '/v1/users/demo?events=lots')).body.error).toMatchObject({ field: 'events' });
    expect((await auth.api('GET', '/v1/users/demo?verbose=1')).body.error).toMatchObject({ field: 'verbose' });
    expect((await auth.api('POST', '/v1/users/demo/enable', { headers: { 'if-match': 'yesterday' } })).body.error).toMatchObject({ field: 'If-Match' });
    expect((await auth.api('POST', '/v1/users/demo/disable', { body: { reason: 'x'.repeat(513) } })).body.error).toMatchObject({ field: 'reason' });
    expect((await auth.api('PUT', '/v1/users/demo/password', { body: { password: 'x'.repeat(1025) } })).body.error).toMatchObject({ field: 'password' });
  });

  it('answers 404 with a hint for an unknown route', async () => {
    const response = await auth.api('GET', '/v2/users');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('concurrent changes to one user', () => {
  it('two admins who read the same version: one wins, the other gets 409, and nothing is lost', async () => {
    await auth.api('POST', '/v1/users', { body: { username: 'shared', password: PASSWORD } });
    const { version } = (await auth.api('GET', '/v1/users/shared')).body.user;
    const ifMatch = { 'if-match': `"${version}"` };
    const [first, second] = await Promise.all([
      auth.api('PATCH', '/v1/users/shared', { body: { maxSessions: 4 }, headers: ifMatch }),
      auth.api('PATCH', '/v1/users/shared', { body: { home: 'teams/shared' }, headers: ifMatch }),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = first.status === 409 ? first : second;
    expect(loser.body.error.code).toBe('USER_CHANGED_CONCURRENTLY');
    expect(loser.body.error.message).toContain('ferry users show shared');
    // The loser reloads and applies its change again: both changes are there.
    const reloaded = (await auth.api('GET', '/v1/users/shared')).body.user;
    const retry = await auth.api('PATCH', '/v1/users/shared', { body: loser === first ? { maxSessions: 4 } : { home: 'teams/shared' }, headers: { 'if-match': `"${reloaded.version}"` } });
    expect(retry.status).toBe(200);
    const final = (await auth.api('GET', '/v1/users/shared')).body;
    expect(final.user.profile).toMatchObject({ maxSessions: 4, home: 'teams/shared' });
    expect(typesOf(final.events)).toEqual(['ferry.user.profile_changed.v1', 'ferry.user.profile_changed.v1', 'ferry.user.created.v1']);
  });

  it('changes without If-Match are decided again on fresh state, so parallel changes of different fields all land', async () => {
    await auth.api('POST', '/v1/users', { body: { username: 'busy', password: PASSWORD } });
    const results = await Promise.all([
      auth.api('PATCH', '/v1/users/busy', { body: { maxSessions: 7 } }),
      auth.api('PATCH', '/v1/users/busy', { body: { home: 'busy-home' } }),
      auth.api('POST', '/v1/users/busy/disable', { body: { reason: 'audit' } }),
    ]);
    for (const result of results) expect([200, 409]).toContain(result.status);
    const user = (await auth.api('GET', '/v1/users/busy')).body.user;
    if (results[0].status === 200) expect(user.profile.maxSessions).toBe(7);
    if (results[1].status === 200) expect(user.profile.home).toBe('busy-home');
    if (results[2].status === 200) expect(user.status).toBe('disabled');
  });

  it('refuses a stale If-Match at once', async () => {
    const response = await auth.api('POST', '/v1/users/demo/disable', { headers: { 'if-match': '"1"' } });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('USER_CHANGED_CONCURRENTLY');
  });
});
