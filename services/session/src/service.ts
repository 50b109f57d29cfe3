import { cidrBlockList } from '@ferry/config';
import type { ServiceDefinition, ServiceRuntime, StartedService } from '@ferry/service';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { BanStore } from './adapters/ban-store.js';
import { startExpirySweeper } from './adapters/expiry-sweeper.js';
import { kickSession } from './adapters/kick.js';
import { consumeLoginEvents } from './adapters/login-events.js';
import { connectRedis } from './adapters/redis-connection.js';
import { serveSessionRpcs } from './adapters/rpc-handlers.js';
import { SessionStore } from './adapters/session-store.js';
import { SessionEnv, type SessionConfig } from './config.js';
import type { AccountPolicy, BanPolicy } from './domain/policy.js';
import { buildApp } from './http/admin-api.js';

const DAY_MS = 24 * 60 * 60 * 1000;

type PolicySettings = Pick<
  SessionConfig,
  | 'SESSION_BAN_THRESHOLD'
  | 'SESSION_BAN_WINDOW'
  | 'SESSION_BAN_DURATION'
  | 'SESSION_ACCOUNT_THRESHOLD'
  | 'SESSION_ACCOUNT_WINDOW'
  | 'SESSION_ACCOUNT_THROTTLE'
  | 'SESSION_ACCOUNT_THROTTLE_MAX'
  | 'SESSION_KNOWN_ADDRESS_TTL'
>;

export function policiesOf(config: PolicySettings): { bans: BanPolicy; accounts: AccountPolicy } {
  return {
    bans: { threshold: config.SESSION_BAN_THRESHOLD, windowMs: config.SESSION_BAN_WINDOW, durationMs: config.SESSION_BAN_DURATION },
    accounts: {
      threshold: config.SESSION_ACCOUNT_THRESHOLD,
      windowMs: config.SESSION_ACCOUNT_WINDOW,
      baseDelayMs: config.SESSION_ACCOUNT_THROTTLE,
      maxDelayMs: config.SESSION_ACCOUNT_THROTTLE_MAX,
      knownAddressTtlMs: config.SESSION_KNOWN_ADDRESS_TTL,
      strikeMemoryMs: Math.max(DAY_MS, config.SESSION_ACCOUNT_THROTTLE_MAX * 4),
    },
  };
}

async function redisCheck(redis: Redis): Promise<{ ok: boolean; detail?: string }> {
  if (redis.status !== 'ready') return { ok: false, detail: `Redis is ${redis.status}: admission and open fail closed` };
  try {
    await redis.ping();
    return { ok: true };
  } catch {
    return { ok: false, detail: 'Redis does not answer: admission and open fail closed' };
  }
}

function instruments(runtime: ServiceRuntime, sessions: SessionStore) {
  runtime.metrics.gauge({
    name: 'ferry_session_live_sessions',
    help: 'Sessions in the store (all gateways); absent while Redis is unavailable',
    async collect() {
      try {
        this.set(await sessions.count());
      } catch {
        this.reset();
      }
    },
  });
  return {
    decisions: runtime.metrics.counter({ name: 'ferry_session_rpc_total', help: 'Session RPCs by operation and result', labelNames: ['rpc', 'result'] }),
    blocks: runtime.metrics.counter({ name: 'ferry_session_blocks_total', help: 'Address bans and account throttles started', labelNames: ['kind'] }),
    expired: runtime.metrics.counter({ name: 'ferry_session_expired_total', help: 'Sessions expired because their gateway stopped heartbeating' }),
  };
}

async function startAdminApi(runtime: ServiceRuntime, config: SessionConfig, sessions: SessionStore, bans: BanStore): Promise<FastifyInstance> {
  const app = await buildApp({
    adminToken: config.FERRY_ADMIN_TOKEN,
    sessionTtlMs: config.SESSION_TTL,
    clock: runtime.clock,
    logger: runtime.logger.child({ component: 'admin-api' }),
    sessions,
    bans,
    kick: (sessionId, reason) => kickSession(runtime, sessions, sessionId, 'admin-api', reason),
  });
  const url = await app.listen({ host: config.FERRY_API_HOST, port: config.FERRY_API_PORT });
  runtime.logger.info({ url }, 'session admin API listening');
  return app;
}

async function start(runtime: ServiceRuntime, config: SessionConfig): Promise<StartedService> {
  const redis = connectRedis(
    { url: config.REDIS_URL, sentinels: config.REDIS_SENTINELS, sentinelName: config.REDIS_SENTINEL_NAME, password: config.REDIS_PASSWORD, commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT },
    runtime.logger.child({ component: 'redis' }),
  );
  const { bans: banPolicy, accounts } = policiesOf(config);
  const bans = new BanStore(redis, banPolicy, accounts);
  const sessions = new SessionStore(redis, config.SESSION_TTL);
  const metrics = instruments(runtime, sessions);

  const responders = serveSessionRpcs({ runtime, bans, sessions, decisions: metrics.decisions });
  const consumers = await consumeLoginEvents({
    runtime,
    bans,
    allowList: cidrBlockList(config.SESSION_BAN_ALLOWLIST),
    windowMs: Math.max(banPolicy.windowMs, accounts.windowMs),
    knownAddressTtlMs: accounts.knownAddressTtlMs,
    onBan: (kind) => metrics.blocks.inc({ kind }),
  });
  const sweeper = startExpirySweeper(runtime, sessions, {
    intervalMs: config.SESSION_SWEEP_INTERVAL,
    leaseMs: Math.max(30_000, config.SESSION_TTL),
    batch: 200,
    graceAfterOutageMs: config.SESSION_TTL,
    onExpired: () => metrics.expired.inc(),
  });
  const api = await startAdminApi(runtime, config, sessions, bans);
  return {
    readiness: async () => ({ redis: await redisCheck(redis) }),
    stop: async () => {
      await api.close();
      await sweeper.stop();
      await Promise.allSettled([...responders.map((responder) => responder.stop()), ...consumers.map((consumer) => consumer.stop())]);
      redis.disconnect();
    },
  };
}

export const sessionService: ServiceDefinition<typeof SessionEnv> = { name: 'session', version: '0.1.0', config: SessionEnv, start };
