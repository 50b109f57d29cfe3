import { describe, expect, it } from 'vitest';
import { AuthLogin, describeIssue, rpcWireReply, SessionAdmit, SessionHeartbeat, SessionOpen, SessionClose, gatewayCommands } from '../src/index.js';

const valid = {
  [AuthLogin.name]: { request: { username: 'alice', password: 'correct horse', clientIp: '127.0.0.1', gateway: 'gw-1', sessionId: 's-1' }, reply: { outcome: 'refused' } },
  [SessionAdmit.name]: { request: { clientIp: '::1', gateway: 'gw-1', sessionId: 's-1' }, reply: { admitted: false, reason: 'banned', retryAfterS: 60 } },
  [SessionOpen.name]: { request: { sessionId: 's-1', username: 'alice', clientIp: '10.1.2.3', gateway: 'gw-1', protocol: 'ftp', maxSessions: 3 }, reply: { opened: false, reason: 'session_limit', limit: 3 } },
  [SessionHeartbeat.name]: { request: { gateway: 'gw-1', sessionIds: ['s-1', 's-2'] }, reply: { refreshed: 1, unknown: ['s-2'] } },
  [SessionClose.name]: { request: { sessionId: 's-1', username: 'alice', gateway: 'gw-1', reason: 'quit' }, reply: { closed: true } },
};

const definitions = [AuthLogin, SessionAdmit, SessionOpen, SessionHeartbeat, SessionClose, gatewayCommands('gw-1').kick, gatewayCommands('gw-1').drain];

describe('request/reply contracts', () => {
  it.each(definitions.filter((d) => valid[d.name]).map((d) => [d.name, d] as const))('%s accepts a valid request and reply', (name, definition) => {
    expect(definition.request.safeParse(valid[name]!.request).success).toBe(true);
    expect(definition.reply.safeParse(valid[name]!.reply).success).toBe(true);
    expect(definition.subject).toMatch(/^ferry\.(rpc|cmd)\./);
  });

  it.each(definitions.map((d) => [d.name, d] as const))('%s rejects an empty request and names a field', (_name, definition) => {
    const parsed = definition.request.safeParse({});
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeIssue(parsed.error).field).not.toBe('(root)');
  });

  it('a login reply never carries a reason for a refusal', () => {
    const parsed = AuthLogin.reply.parse({ outcome: 'refused', reason: 'bad_password' });
    expect(parsed).toEqual({ outcome: 'refused' });
  });

  it('a login request with a malformed client address is refused naming clientIp', () => {
    const parsed = AuthLogin.request.safeParse({ ...valid[AuthLogin.name]!.request, clientIp: 'localhost' });
    expect(parsed.success ? 'ok' : describeIssue(parsed.error).field).toBe('clientIp');
  });

  it('the wire reply carries either a result or a typed error', () => {
    const wire = rpcWireReply(SessionClose.reply);
    expect(wire.safeParse({ ok: true, result: { closed: true } }).success).toBe(true);
    expect(wire.safeParse({ ok: false, error: { code: 'SESSION_STORE_UNAVAILABLE', message: 'redis down', retryable: true } }).success).toBe(true);
    expect(wire.safeParse({ ok: false, result: { closed: true } }).success).toBe(false);
  });
});
