import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/adapters/http/app.js';

const token = 't'.repeat(40);
const failingDb = (): Database.Database => {
  throw new Error('SQLITE_CORRUPT: secret internal detail at /var/lib/ferry');
};

async function app() {
  const logged: unknown[] = [];
  const instance = await buildApp({ db: failingDb, openReader: failingDb, queryToken: token, logger: { error: (obj) => logged.push(obj) } });
  return { instance, logged };
}

describe('query API edge', () => {
  it('an internal failure answers 500 with a stable code and never the internal text, and is logged', async () => {
    const { instance, logged } = await app();
    const response = await instance.inject({ url: '/transfers', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'QUERY_INTERNAL', message: 'internal error' } });
    expect(response.body).not.toContain('secret');
    expect(logged).toHaveLength(1);
  });

  it('checks the token before anything else, including unknown routes', async () => {
    const { instance } = await app();
    expect((await instance.inject({ url: '/nowhere' })).statusCode).toBe(401);
    expect((await instance.inject({ url: '/nowhere', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(404);
    expect((await instance.inject({ url: '/transfers', headers: { authorization: `Basic ${token}` } })).statusCode).toBe(401);
    expect((await instance.inject({ url: '/transfers', headers: { authorization: `Bearer ${token}x` } })).statusCode).toBe(401);
    expect((await instance.inject({ url: '/transfers', headers: { authorization: `Bearer ${token.slice(1)}` } })).statusCode).toBe(401);
  });

  it('validates parameters before touching the store', async () => {
    const { instance, logged } = await app();
    const response = await instance.inject({ url: '/transfers?limit=abc', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { field: 'limit' } });
    expect(logged).toHaveLength(0);
  });

  it('answers 400 naming the parameter for an over-long transfer id', async () => {
    const { instance } = await app();
    const response = await instance.inject({ url: `/transfers/${'x'.repeat(200)}`, headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'QUERY_INVALID_PARAM', field: 'id' } });
  });
});
