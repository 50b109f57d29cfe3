import { z } from 'zod';
import { envCsv, envUrl } from './env-lists.js';
import { envDuration, envInt, envLogLevel, envPort } from './env-scalars.js';

/**
 * An instance id ends up inside NATS subjects (`ferry.cmd.gateway.<id>.kick`),
 * where `.`, `*`, `>` and spaces would change the subject's meaning.
 */
const INSTANCE_ID = /^[A-Za-z0-9_-]+$/;

/**
 * The instance id to use when FERRY_INSTANCE_ID is unset: `<hostname>-<pid>`,
 * with the dots of a fully qualified hostname (and anything else a NATS subject
 * token cannot hold) replaced by `_`. main.ts passes `os.hostname()` and `process.pid`.
 */
export function defaultInstanceId(hostname: string, pid: number): string {
  return `${hostname}-${pid}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * Variables every Ferry service reads. Spread into a service's schema:
 * `z.object({ ...commonServiceEnv, AUTH_SCRYPT_N: envInt({ min: 1024 }) })`.
 * Defaults go through `.prefault`, so they are written as an operator would
 * write them and parsed by the same rules.
 */
export const commonServiceEnv = {
  NATS_URL: envCsv(envUrl({ protocols: ['nats:', 'tls:'] }), { minItems: 1 }).prefault('nats://127.0.0.1:4222'),
  /** Optional: main.ts falls back to a sanitised `<hostname>-<pid>`. */
  FERRY_INSTANCE_ID: z
    .string()
    .trim()
    .regex(INSTANCE_ID, { error: 'may only contain letters, digits, "_" and "-"' })
    .describe('an instance id made of letters, digits, "_" and "-"')
    .optional(),
  FERRY_OPS_HOST: z.string().trim().min(1).describe('the address the ops HTTP server binds').prefault('127.0.0.1'),
  FERRY_OPS_PORT: envPort({ allowZero: true }).prefault('0'),
  LOG_LEVEL: envLogLevel().prefault('info'),
  FERRY_STREAM_REPLICAS: envInt({ min: 1, max: 5 }).prefault('1'),
  FERRY_ACTIVITY_RETENTION: envDuration({ minMs: 1 }).prefault('365d'),
  FERRY_HEARTBEAT_INTERVAL: envDuration({ minMs: 1 }).prefault('5s'),
  /** How long a service keeps trying its first NATS connection before it exits (69). */
  FERRY_NATS_CONNECT_TIMEOUT: envDuration({ minMs: 100 }).prefault('10s'),
};
