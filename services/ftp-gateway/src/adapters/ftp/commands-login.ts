import { SessionOpened, SessionRefused, type UserProfile } from '@ferry/contracts';
import { instrument, SpanKind } from '@ferry/telemetry';
import { GatewayError } from '../../domain/errors.js';
import type { LoginOutcome } from '../platform.js';
import { HomeStorage } from '../storage.js';
import type { FtpSession, SessionHooks } from './session.js';

const SERVICE_UNAVAILABLE = 'Service not available, try again later.';
/** The bounds of AuthLogin's request (libs/contracts rpc.ts). */
const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;

export function userCommand(session: FtpSession, arg: string): Promise<void> {
  if (session.user !== undefined) return done(session.reply(530, "Can't change to another user."));
  if (arg.trim() === '') return done(session.reply(501, 'USER needs a user name.'));
  if (session.ctx.requireTls && !session.secure) {
    refused(session, arg, 'tls_required');
    return done(session.reply(530, 'This server requires TLS: use AUTH TLS before USER.'));
  }
  session.pendingUser = arg.trim();
  return done(session.reply(331, 'Please specify the password.'));
}

/** One span per login: the auth/session requests and the session events it causes carry its trace. */
export function passCommand(session: FtpSession, arg: string, hooks: SessionHooks): Promise<void> {
  return instrument({
    name: 'ftp login',
    kind: SpanKind.SERVER,
    attributes: { 'ferry.session_id': session.sessionId, 'client.address': session.clientIp },
    fn: () => login(session, arg, hooks),
  });
}

async function login(session: FtpSession, arg: string, hooks: SessionHooks): Promise<void> {
  if (session.user !== undefined) return session.reply(230, 'Already logged in.');
  const username = session.pendingUser;
  if (username === undefined) return session.reply(503, 'Login with USER first.');
  session.pendingUser = undefined;
  const refusal = session.ctx.admission();
  if (refusal !== undefined) {
    refused(session, username, refusal === 'capacity' ? 'service_unavailable' : refusal);
    session.ctx.metrics.logins.inc({ result: refusal });
    return session.close(421, refusal === 'capacity' ? 'Too many users on this server, try again later.' : SERVICE_UNAVAILABLE, 'error');
  }
  if (username.length > MAX_USERNAME || arg.length > MAX_PASSWORD) {
    // Longer than any account can be (the auth contract's bounds): refused like any wrong login, without asking.
    refused(session, username, 'login_refused');
    session.ctx.metrics.logins.inc({ result: 'login_refused' });
    return session.reply(530, 'Login incorrect.');
  }
  let outcome: LoginOutcome;
  try {
    outcome = await session.ctx.platform.login({ username, password: arg, clientIp: session.clientIp, sessionId: session.sessionId, protocol: session.protocol });
  } catch (error) {
    session.logger.warn({ err: error }, 'login impossible: platform unreachable');
    refused(session, username, 'service_unavailable');
    session.ctx.metrics.logins.inc({ result: 'unavailable' });
    return session.close(421, SERVICE_UNAVAILABLE, 'error');
  }
  session.ctx.metrics.logins.inc({ result: outcome.kind });
  await settle(session, username, outcome, hooks);
}

async function settle(session: FtpSession, username: string, outcome: LoginOutcome, hooks: SessionHooks): Promise<void> {
  switch (outcome.kind) {
    case 'opened':
      return openSession(session, outcome.username, outcome.profile, hooks);
    case 'banned':
      refused(session, username, 'banned');
      return session.close(421, SERVICE_UNAVAILABLE, 'error');
    case 'session_limit':
      refused(session, username, 'session_limit');
      return session.close(421, 'Too many sessions for this user.', 'error');
    case 'login_refused':
      refused(session, username, 'login_refused');
      return session.reply(530, 'Login incorrect.');
    case 'refused':
      // Throttled account, or banned/throttled at open: the session service says "not now", not "wrong password".
      refused(session, username, outcome.reason);
      return session.close(421, SERVICE_UNAVAILABLE, 'error');
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
}

async function openSession(session: FtpSession, username: string, profile: UserProfile, hooks: SessionHooks): Promise<void> {
  let storage: HomeStorage;
  try {
    storage = await HomeStorage.open(session.ctx.storageRoot, profile.home, session.ctx.uploads, session.ctx.storagePace);
  } catch (error) {
    session.logger.error({ err: error, home: profile.home }, 'home folder unusable');
    await session.ctx.platform.close({ sessionId: session.sessionId, username, reason: 'error' }).catch(() => undefined);
    return session.close(421, SERVICE_UNAVAILABLE, 'error');
  }
  const openedAt = session.ctx.clock();
  session.user = { username, profile, storage, openedAt };
  session.connection.authenticated = true;
  hooks.loggedIn(session);
  session.ctx.events.emit(SessionOpened, {
    sessionId: session.sessionId,
    username,
    clientIp: session.clientIp,
    gateway: session.ctx.gateway,
    protocol: session.protocol,
    openedAt: openedAt.toISOString(),
  });
  session.reply(230, 'Login successful.');
}

function refused(session: FtpSession, username: string, reason: string): void {
  session.ctx.events.emit(SessionRefused, { sessionId: session.sessionId, username: username.slice(0, 256), clientIp: session.clientIp, gateway: session.ctx.gateway, reason });
}

export function quitCommand(session: FtpSession): Promise<void> {
  session.markQuit();
  session.close(221, 'Goodbye.', 'quit');
  return Promise.resolve();
}

export function authCommand(session: FtpSession, arg: string): Promise<void> {
  const method = arg.trim().toUpperCase();
  if (method !== 'TLS' && method !== 'TLS-C' && method !== 'SSL') return done(session.reply(504, 'AUTH mechanism not supported.'));
  if (session.ctx.tls === undefined) return done(session.reply(534, 'TLS is not configured on this server.'));
  if (session.secure) return done(session.reply(503, 'Already using TLS.'));
  if (session.user !== undefined) return done(session.reply(503, 'AUTH TLS must come before login.'));
  session.reply(234, 'Proceed with negotiation.');
  session.upgradeToTls();
  return Promise.resolve();
}

export function pbszCommand(session: FtpSession, arg: string): Promise<void> {
  if (!session.secure) return done(session.reply(503, 'PBSZ needs AUTH TLS first.'));
  if (!/^\d+$/.test(arg.trim())) return done(session.reply(501, 'PBSZ needs a number.'));
  session.pbsz = true;
  return done(session.reply(200, 'PBSZ=0'));
}

export function protCommand(session: FtpSession, arg: string): Promise<void> {
  if (!session.secure) return done(session.reply(503, 'PROT needs AUTH TLS first.'));
  if (!session.pbsz) return done(session.reply(503, 'PROT needs PBSZ first.'));
  const level = arg.trim().toUpperCase();
  if (level === 'P') session.protectData = true;
  else if (level === 'C') session.protectData = false;
  else return done(session.reply(536, 'Only PROT P and PROT C are supported.'));
  return done(session.reply(200, `Protection level set to ${level}.`));
}

export function assertLoggedIn(session: FtpSession): NonNullable<FtpSession['user']> {
  if (session.user === undefined) throw new GatewayError('PERMISSION_DENIED', 'not logged in');
  return session.user;
}

function done(_: void): Promise<void> {
  return Promise.resolve();
}
