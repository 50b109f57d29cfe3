import { commonServiceEnv, envBool, envCidrList, envDuration, envInt, envPort } from '@ferry/config';
import { z } from 'zod';
import { parsePortRange } from './domain/port-range.js';

/** Every variable the gateway reads (README.md documents each). */
export const gatewayEnv = z.object({
  ...commonServiceEnv,
  GATEWAY_ID: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { error: 'may only contain lowercase letters, digits, "_" and "-"' })
    .describe('a gateway id of lowercase letters, digits, "_" and "-"')
    .optional(),
  FERRY_STORAGE_ROOT: z.string().trim().min(1).describe('the folder holding every user home'),
  GATEWAY_FTP_HOST: z.string().trim().min(1).describe('the address the FTP control port binds').prefault('127.0.0.1'),
  GATEWAY_FTP_PORT: envPort({ allowZero: true }).prefault('2121'),
  GATEWAY_PASSIVE_PORTS: z
    .string()
    .trim()
    .transform((raw, ctx) => {
      const range = parsePortRange(raw);
      if (range.ok) return range.value;
      ctx.addIssue({ code: 'custom', message: range.problem });
      return z.NEVER;
    })
    .describe('a port range such as 30000-30099')
    .prefault('30000-30099'),
  GATEWAY_PUBLIC_ADDRESS: z.ipv4({ error: 'is not an IPv4 address' }).describe('the IPv4 address advertised in PASV replies').optional(),
  GATEWAY_IDLE_TIMEOUT: envDuration({ minMs: 1_000 }).prefault('5m'),
  GATEWAY_DATA_TIMEOUT: envDuration({ minMs: 100 }).prefault('60s'),
  GATEWAY_MAX_SESSIONS: envInt({ min: 1, max: 100_000 }).prefault('500'),
  GATEWAY_TLS_CERT: z.string().trim().min(1).describe('path of a PEM certificate (chain) for explicit FTPS').optional(),
  GATEWAY_TLS_KEY: z.string().trim().min(1).describe('path of the PEM private key for explicit FTPS').optional(),
  GATEWAY_REQUIRE_TLS: envBool().prefault('false'),
  GATEWAY_TLS_REQUIRE_SESSION_REUSE: envBool().prefault('false'),
  GATEWAY_PROXY_TRUSTED_CIDRS: envCidrList().optional(),
  GATEWAY_DATA_ADDRESS_CHECK: envBool().prefault('true'),
  GATEWAY_AGENT_HOST: z.string().trim().min(1).describe('the address the HAProxy agent-check port binds').prefault('127.0.0.1'),
  GATEWAY_AGENT_PORT: envPort({ allowZero: true }).optional(),
  GATEWAY_DRAIN_GRACE: envDuration().prefault('30s'),
  // More than twice HAProxy's agent-inter (2s in deploy/haproxy): it has read "drain" at least once before logins are refused.
  GATEWAY_DRAIN_NOTICE: envDuration({ maxMs: 600_000 }).prefault('5s'),
  GATEWAY_UPLOAD_STALE_AFTER: envDuration({ minMs: 300, maxMs: 3_600_000 }).prefault('10s'),
  GATEWAY_EVENT_BUFFER: envInt({ min: 1, max: 10_000_000 }).prefault('10000'),
  GATEWAY_SESSION_HEARTBEAT_INTERVAL: envDuration({ minMs: 100 }).prefault('5s'),
});

export type GatewayConfig = z.output<typeof gatewayEnv>;
