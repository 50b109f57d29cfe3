import { randomBytes } from 'node:crypto';
import type { Permissions } from '@ferry/contracts';
import { connectBus, type Bus } from '@ferry/bus';
import { startRedis, type RedisServerHandle } from '@ferry/testing';
import { activity } from './activity.js';
import { serviceProcess, type ServiceProcess } from './service-process.js';

/**
 * The REAL auth and session services, as child processes on a real nats-server
 * (given) and a real redis-server (started here unless given), with test users
 * created through the auth admin API. Close to the in-test stand-ins it replaced:
 * `startPlatform(natsUrl, users)`, `platform.bus`, and the session service's view
 * of sessions read through its admin API and the events.
 */
export interface PlatformUser {
  readonly password: string;
  readonly home?: string;
  readonly permissions?: Partial<Permissions>;
  readonly maxSessions?: number;
  readonly allowedCidrs?: readonly string[];
}

export interface PlatformOptions {
  /** A Redis to use (not stopped by the platform); default: one started for this platform. */
  readonly redis?: RedisServerHandle;
  /** Extra environment for both services (OTEL_*, …), then for each. */
  readonly env?: Record<string, string>;
  readonly authEnv?: Record<string, string>;
  readonly sessionEnv?: Record<string, string>;
}

export interface LiveSession {
  readonly sessionId: string;
  readonly username: string;
  readonly clientIp: string;
  readonly gateway: string;
  readonly openedAt: string;
}

export interface ApiAnswer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked by the assertions
  readonly body: any;
}

export interface Platform {
  readonly bus: Bus;
  readonly redis: RedisServerHandle;
  readonly auth: ServiceProcess;
  readonly session: ServiceProcess;
  authApi(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  sessionApi(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  createUser(username: string, user: PlatformUser): Promise<void>;
  /** Live sessions in the session service's store (its admin API). */
  sessions(username?: string): Promise<LiveSession[]>;
  /** The id of the most recently opened live session (of `username`, if given). */
  lastSessionId(username?: string): Promise<string>;
  /** The close reason the gateway reported, once the session service no longer holds the session; else undefined. */
  closedReason(sessionId: string): Promise<string | undefined>;
  /** Every login auth judged, in order: what auth saw as user name and client address. */
  logins(): Promise<Array<{ username: string; clientIp: string }>>;
  stop(): Promise<void>;
}

const ALL: Permissions = { read: true, write: true, delete: true, mkdir: true, rename: true };

/** Defaults for tests: cheap scrypt, short passwords allowed, and no bans or throttles unless a test asks. */
const AUTH_DEFAULTS = { AUTH_SCRYPT_LOG_N: '4', AUTH_SCRYPT_P: '1', AUTH_PASSWORD_MIN_LENGTH: '1' };
const SESSION_DEFAULTS = { SESSION_TTL: '10s', SESSION_SWEEP_INTERVAL: '200ms', SESSION_BAN_THRESHOLD: '1000', SESSION_ACCOUNT_THRESHOLD: '1000' };

export async function startPlatform(natsUrl: string, users: Record<string, PlatformUser>, options: PlatformOptions = {}): Promise<Platform> {
  const adminToken = randomBytes(24).toString('hex');
  const redis = options.redis ?? (await startRedis());
  const common = { NATS_URL: natsUrl, FERRY_ADMIN_TOKEN: adminToken, FERRY_HEARTBEAT_INTERVAL: '1s', ...options.env };
  const started: ServiceProcess[] = [];
  try {
    const [auth, session] = await Promise.all([
      serviceProcess('auth', { ...common, ...AUTH_DEFAULTS, ...options.authEnv }).then((service) => (started.push(service), service)),
      serviceProcess('session', { ...common, REDIS_URL: redis.url, ...SESSION_DEFAULTS, ...options.sessionEnv }).then((service) => (started.push(service), service)),
    ]);
    const bus = await connectBus({ servers: [natsUrl], name: 'gateway-test-platform' });
    const platform = buildPlatform({ bus, redis, auth, session, adminToken, ownsRedis: options.redis === undefined });
    for (const [name, user] of Object.entries(users)) await platform.createUser(name, user);
    return platform;
  } catch (error) {
    await Promise.all(started.map((service) => service.stop('SIGKILL')));
    if (options.redis === undefined) await redis.stop();
    throw error;
  }
}

interface Parts {
  readonly bus: Bus;
  readonly redis: RedisServerHandle;
  readonly auth: ServiceProcess;
  readonly session: ServiceProcess;
  readonly adminToken: string;
  readonly ownsRedis: boolean;
}

function buildPlatform({ bus, redis, auth, session, adminToken, ownsRedis }: Parts): Platform {
  const call = async (base: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${adminToken}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  const authApi = (method: string, path: string, body?: unknown) => call(auth.apiUrl, method, path, body);
  const sessionApi = (method: string, path: string, body?: unknown) => call(session.apiUrl, method, path, body);
  const sessions = async (username?: string): Promise<LiveSession[]> => {
    const answer = await sessionApi('GET', `/sessions${username === undefined ? '' : `?username=${encodeURIComponent(username)}`}`);
    if (answer.status !== 200) throw new Error(`GET /sessions answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return (answer.body as { sessions: LiveSession[] }).sessions;
  };
  return {
    bus,
    redis,
    auth,
    session,
    authApi,
    sessionApi,
    createUser: async (username, { permissions, maxSessions, ...user }) => {
      const answer = await authApi('POST', '/v1/users', { username, ...user, permissions: { ...ALL, ...permissions }, maxSessions: maxSessions ?? 100 });
      if (answer.status !== 201) throw new Error(`creating ${username} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    },
    sessions,
    lastSessionId: async (username) => {
      const newest = (await sessions(username)).sort((a, b) => a.openedAt.localeCompare(b.openedAt)).at(-1);
      if (newest === undefined) throw new Error(`no live session${username === undefined ? '' : ` of ${username}`}`);
      return newest.sessionId;
    },
    closedReason: async (sessionId) => {
      if ((await sessionApi('GET', `/sessions/${encodeURIComponent(sessionId)}`)).status !== 404) return undefined;
      const closed = (await activity(bus)).find((event) => event.type === 'ferry.session.closed.v1' && event.data['sessionId'] === sessionId);
      return closed === undefined ? undefined : String(closed.data['reason']);
    },
    logins: async () =>
      (await activity(bus))
        .filter((event) => event.type === 'ferry.auth.login.succeeded.v1' || event.type === 'ferry.auth.login.failed.v1')
        .map((event) => ({ username: String(event.data['username']), clientIp: String(event.data['clientIp']) })),
    stop: async () => {
      await bus.close();
      await Promise.all([auth.stop(), session.stop()]);
      if (ownsRedis) await redis.stop();
    },
  };
}
