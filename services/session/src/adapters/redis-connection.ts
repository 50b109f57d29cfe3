import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@ferry/telemetry';

export interface RedisSettings {
  readonly url: string;
  /** host:port of each Sentinel; when non-empty, `sentinelName` is the monitored master. */
  readonly sentinels: readonly string[];
  readonly sentinelName: string | undefined;
  readonly password: string | undefined;
  readonly commandTimeoutMs: number;
}

/**
 * Fail fast instead of queueing while Redis is away (admission must fail closed
 * at once, not hang), and keep reconnecting forever so the service recovers by
 * itself when Redis returns.
 */
const failFast: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt: number) => Math.min(100 * attempt, 2_000),
  connectTimeout: 2_000,
  lazyConnect: false,
};

export function connectRedis(settings: RedisSettings, logger: Logger): Redis {
  const common: RedisOptions = { ...failFast, commandTimeout: settings.commandTimeoutMs, ...(settings.password ? { password: settings.password } : {}) };
  const redis =
    settings.sentinels.length > 0
      ? new Redis({
          ...common,
          sentinels: settings.sentinels.map(parseHostPort),
          name: settings.sentinelName ?? 'mymaster',
          ...(settings.password ? { sentinelPassword: settings.password } : {}),
        })
      : new Redis(settings.url, common);
  let lastStatus = '';
  const report = (status: string, error?: unknown) => {
    if (status === lastStatus) return;
    lastStatus = status;
    if (status === 'ready') logger.info('connected to Redis');
    else logger.warn({ err: error, status }, 'Redis unavailable; admission and open fail closed until it returns');
  };
  redis.on('ready', () => report('ready'));
  redis.on('error', (error: unknown) => report('error', error));
  redis.on('end', () => report('end'));
  return redis;
}

export function parseHostPort(value: string): { host: string; port: number } {
  const cut = value.lastIndexOf(':');
  const host = value.slice(0, cut).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(value.slice(cut + 1)) };
}
