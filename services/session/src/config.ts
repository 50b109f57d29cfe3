import { commonServiceEnv, envCidrList, envCsv, envDuration, envInt, envPort, envSecret, envUrl } from '@ferry/config';
import { z } from 'zod';

const HostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: 'is not host:port' })
  .describe('host:port');

/** The session service's whole environment contract (documented in README.md). */
export const SessionEnv = z
  .object({
    ...commonServiceEnv,
    REDIS_URL: envUrl({ protocols: ['redis:', 'rediss:'] }).prefault('redis://127.0.0.1:6379'),
    REDIS_SENTINELS: envCsv(HostPort).prefault(''),
    REDIS_SENTINEL_NAME: z.string().trim().min(1).describe('the master name Sentinel monitors, such as mymaster').optional(),
    REDIS_PASSWORD: envSecret().optional(),
    REDIS_COMMAND_TIMEOUT: envDuration({ minMs: 50, maxMs: 60_000 }).prefault('1s'),
    FERRY_API_HOST: z.string().trim().min(1).describe('the address the admin API binds').prefault('127.0.0.1'),
    FERRY_API_PORT: envPort({ allowZero: true }),
    FERRY_ADMIN_TOKEN: envSecret({ minLength: 32 }),
    SESSION_TTL: envDuration({ minMs: 1_000 }).prefault('30s'),
    SESSION_SWEEP_INTERVAL: envDuration({ minMs: 50, maxMs: 60_000 }).prefault('1s'),
    SESSION_BAN_THRESHOLD: envInt({ min: 1, max: 1_000_000 }).prefault('10'),
    SESSION_BAN_WINDOW: envDuration({ minMs: 1_000 }).prefault('10m'),
    SESSION_BAN_DURATION: envDuration({ minMs: 1_000 }).prefault('15m'),
    SESSION_BAN_ALLOWLIST: envCidrList().prefault(''),
    SESSION_ACCOUNT_THRESHOLD: envInt({ min: 1, max: 1_000_000 }).prefault('5'),
    SESSION_ACCOUNT_WINDOW: envDuration({ minMs: 1_000 }).prefault('15m'),
    SESSION_ACCOUNT_THROTTLE: envDuration({ minMs: 1_000 }).prefault('30s'),
    SESSION_ACCOUNT_THROTTLE_MAX: envDuration({ minMs: 1_000 }).prefault('15m'),
    SESSION_KNOWN_ADDRESS_TTL: envDuration({ minMs: 1_000 }).prefault('30d'),
  })
  .superRefine((env, ctx) => {
    if (env.REDIS_SENTINELS.length > 0 && env.REDIS_SENTINEL_NAME === undefined) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINEL_NAME'], message: 'is required when REDIS_SENTINELS is set' });
    }
    if (env.SESSION_ACCOUNT_THROTTLE_MAX < env.SESSION_ACCOUNT_THROTTLE) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_ACCOUNT_THROTTLE_MAX'], message: 'must not be shorter than SESSION_ACCOUNT_THROTTLE' });
    }
  });
export type SessionConfig = z.output<typeof SessionEnv>;
