import { join } from 'node:path';

/**
 * The environment the local stack gives each service: the one place that knows
 * which variables a service needs to run here. Secrets come from secrets.ts.
 */
export interface StackEndpoints {
  readonly natsUrl: string;
  readonly redisUrl: string;
  readonly dataDir: string;
  readonly adminToken: string;
  readonly queryToken: string;
  readonly opsPort: number;
  /** The service's public HTTP API (admin or query API), where it has one. */
  readonly apiPort: number;
  /** The alert-relay's routing file (alerts to the local webhook sink). */
  readonly alertRelayConfig?: string;
  /** The gateway's own ports: FTP control, passive range, HAProxy agent check. */
  readonly gateway?: { readonly id: string; readonly ftpPort: number; readonly passive: readonly [number, number]; readonly agentPort: number };
}

export function serviceEnv(name: string, endpoints: StackEndpoints): Record<string, string> {
  return {
    NATS_URL: endpoints.natsUrl,
    REDIS_URL: endpoints.redisUrl,
    FERRY_OPS_PORT: String(endpoints.opsPort),
    FERRY_API_PORT: String(endpoints.apiPort),
    FERRY_INSTANCE_ID: `${name}-local`,
    FERRY_ADMIN_TOKEN: endpoints.adminToken,
    FERRY_QUERY_TOKEN: endpoints.queryToken,
    FERRY_STORAGE_ROOT: join(endpoints.dataDir, 'storage'),
    FERRY_STATE_DIR: join(endpoints.dataDir, 'data', name),
    ...(name === 'alert-relay' && endpoints.alertRelayConfig ? { ALERT_RELAY_CONFIG: endpoints.alertRelayConfig } : {}),
    ...(name === 'ftp-gateway' && endpoints.gateway
      ? {
          GATEWAY_ID: endpoints.gateway.id,
          GATEWAY_FTP_PORT: String(endpoints.gateway.ftpPort),
          GATEWAY_PASSIVE_PORTS: `${endpoints.gateway.passive[0]}-${endpoints.gateway.passive[1]}`,
          GATEWAY_AGENT_PORT: String(endpoints.gateway.agentPort),
        }
      : {}),
  };
}
