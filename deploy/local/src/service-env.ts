import { join } from 'node:path';

/**
 * The environment the local stack gives each service: the one place that knows
 * which variables a service needs to run here. Secrets come from secrets.ts.
 */
export interface StackEndpoints {
  /** One URL, or a cluster's URLs separated by commas. */
  readonly natsUrl: string;
  /** Replicas of every stream (and the alert-relay's KV bucket): 1 on one node, 3 on a cluster. */
  readonly streamReplicas?: number;
  readonly redisUrl: string;
  readonly dataDir: string;
  readonly adminToken: string;
  readonly queryToken: string;
  readonly opsPort: number;
  /** The service's public HTTP API (admin or query API), where it has one. */
  readonly apiPort: number;
  /** The alert-relay's routing file (alerts to the local webhook sink). */
  readonly alertRelayConfig?: string;
  /** A gateway's own addresses and ports. */
  readonly gateway?: GatewayPorts;
}

export interface GatewayPorts {
  readonly id: string;
  /** The address its FTP, passive and agent ports bind (default 127.0.0.1). */
  readonly address?: string;
  readonly ftpPort: number;
  readonly passive: readonly [number, number];
  readonly agentPort: number;
  /** Advertised in PASV replies: HAProxy's address. */
  readonly publicAddress?: string;
  /** CIDRs allowed (and required) to send a PROXY header: HAProxy's. */
  readonly trustedProxies?: string;
  /** Certificate and key for explicit FTPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export function serviceEnv(name: string, endpoints: StackEndpoints): Record<string, string> {
  return {
    NATS_URL: endpoints.natsUrl,
    REDIS_URL: endpoints.redisUrl,
    FERRY_STREAM_REPLICAS: String(endpoints.streamReplicas ?? 1),
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
          FERRY_INSTANCE_ID: endpoints.gateway.id,
          ...(endpoints.gateway.address ? { GATEWAY_FTP_HOST: endpoints.gateway.address, GATEWAY_AGENT_HOST: endpoints.gateway.address } : {}),
          ...(endpoints.gateway.publicAddress ? { GATEWAY_PUBLIC_ADDRESS: endpoints.gateway.publicAddress } : {}),
          ...(endpoints.gateway.trustedProxies ? { GATEWAY_PROXY_TRUSTED_CIDRS: endpoints.gateway.trustedProxies } : {}),
          ...(endpoints.gateway.tls ? { GATEWAY_TLS_CERT: endpoints.gateway.tls.cert, GATEWAY_TLS_KEY: endpoints.gateway.tls.key } : {}),
        }
      : {}),
  };
}
