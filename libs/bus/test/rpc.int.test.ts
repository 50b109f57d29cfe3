import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthLogin, ContractViolationError, FerryError, SessionAdmit, SessionClose } from '@ferry/contracts';
import { startNats, type NatsServerHandle } from '@ferry/testing';
import { connectBus, request, RpcNoRespondersError, RpcRemoteError, RpcTimeoutError, serve, type Bus, type Responder } from '../src/index.js';

let nats: NatsServerHandle;
let bus: Bus;
const responders: Responder[] = [];

const login = { username: 'alice', password: 'correct horse battery', clientIp: '127.0.0.1', gateway: 'gw-1', sessionId: 's-1' };

beforeAll(async () => {
  nats = await startNats({ jetstream: false });
  bus = await connectBus({ servers: [nats.url], name: 'rpc-test' });
});

afterAll(async () => {
  await Promise.all(responders.map((responder) => responder.stop()));
  await bus?.close();
  await nats?.stop();
});

describe('request/reply', () => {
  it('round-trips a valid request and a typed reply', async () => {
    responders.push(
      serve(bus, SessionAdmit, (body) => Promise.resolve(body.clientIp === '10.9.9.9' ? { admitted: false as const, reason: 'banned', retryAfterS: 30 } : { admitted: true as const })),
    );
    await expect(request(bus, SessionAdmit, { clientIp: '127.0.0.1', gateway: 'gw-1', sessionId: 's-1' })).resolves.toEqual({ admitted: true });
    await expect(request(bus, SessionAdmit, { clientIp: '10.9.9.9', gateway: 'gw-1', sessionId: 's-2' })).resolves.toEqual({ admitted: false, reason: 'banned', retryAfterS: 30 });
  });

  it('times out with a typed, retryable error when the responder is too slow', async () => {
    responders.push(serve(bus, AuthLogin, () => new Promise((resolve) => setTimeout(() => resolve({ outcome: 'refused' as const }), 1_000))));
    const error = await request(bus, AuthLogin, login, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcTimeoutError);
    expect((error as FerryError).retryable).toBe(true);
  });

  it('says nobody is listening when no responder exists', async () => {
    const error = await request(bus, SessionClose, { sessionId: 's', username: 'alice', gateway: 'gw-1', reason: 'quit' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcNoRespondersError);
  });

  it('refuses to send a request that breaks the contract, naming the field', async () => {
    const error = await request(bus, AuthLogin, { ...login, clientIp: 'not-an-ip' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractViolationError);
    expect((error as ContractViolationError).field).toBe('clientIp');
  });

  it('answers a raw request that breaks the contract with an error naming the field', async () => {
    const reply = await bus.nc.request(SessionAdmit.subject, new TextEncoder().encode(JSON.stringify({ clientIp: 'x', gateway: 'gw-1', sessionId: 's' })), { timeout: 2_000 });
    expect(reply.json()).toMatchObject({ ok: false, error: { code: 'CONTRACT_VIOLATION', field: 'clientIp' } });
    const notJson = await bus.nc.request(SessionAdmit.subject, new TextEncoder().encode('{{{'), { timeout: 2_000 });
    expect(notJson.json()).toMatchObject({ ok: false, error: { code: 'CONTRACT_VIOLATION' } });
  });
});

describe('responder errors', () => {
  let closeResponder: Responder;
  beforeAll(() => {
    closeResponder = serve(bus, SessionClose, (body) => {
      if (body.sessionId === 'typed') return Promise.reject(new FerryError('SESSION_STORE_UNAVAILABLE', 'session store unavailable', { retryable: true }));
      if (body.sessionId === 'bad-reply') return Promise.resolve({ closed: 'yes' } as never);
      return Promise.reject(new Error('secret internal detail: redis at 10.0.0.5'));
    });
    responders.push(closeResponder);
  });

  const close = (sessionId: string) => request(bus, SessionClose, { sessionId, username: 'alice', gateway: 'gw-1', reason: 'quit' }).catch((e: unknown) => e);

  it('passes a typed error from the handler through with its code', async () => {
    const error = await close('typed');
    expect(error).toBeInstanceOf(RpcRemoteError);
    expect((error as RpcRemoteError).code).toBe('SESSION_STORE_UNAVAILABLE');
    expect((error as RpcRemoteError).retryable).toBe(true);
  });

  it('hides internal error text from the caller', async () => {
    const error = await close('crash');
    expect((error as RpcRemoteError).code).toBe('INTERNAL');
    expect((error as Error).message).not.toContain('10.0.0.5');
  });

  it('never sends a reply that breaks the contract', async () => {
    expect(((await close('bad-reply')) as RpcRemoteError).code).toBe('INTERNAL');
  });
});
