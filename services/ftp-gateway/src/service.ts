import { mkdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSecureContext, type SecureContext } from 'node:tls';
import { cidrBlockList } from '@ferry/config';
import { FerryError } from '@ferry/contracts';
import type { ServiceDefinition, ServiceRuntime, StartedService } from '@ferry/service';
import { gatewayEnv, type GatewayConfig } from './config.js';
import { startAgentCheck } from './adapters/agent-check.js';
import { gatewayIdFromInstance } from './domain/gateway-id.js';
import { FsPace } from './domain/fs-pace.js';
import { bufferedSink, type EventSink } from './adapters/events.js';
import { FtpFrontend, type FtpSettings } from './adapters/ftp/frontend.js';
import { PassivePorts } from './adapters/ftp/passive-ports.js';
import { serveGatewayCommands } from './adapters/gateway-commands.js';
import { gatewayMetrics, type GatewayMetrics } from './adapters/metrics.js';
import { UploadLedger } from './adapters/partial-uploads.js';
import { natsPlatform, type Platform } from './adapters/platform.js';
import { startSessionHeartbeat } from './adapters/session-heartbeat.js';

export const VERSION = '0.2.0';

export const ftpGatewayService: ServiceDefinition<typeof gatewayEnv> = {
  name: 'ftp-gateway',
  version: VERSION,
  config: gatewayEnv,
  start: startGateway,
};

async function tlsContext(config: GatewayConfig): Promise<SecureContext | undefined> {
  const { GATEWAY_TLS_CERT: certPath, GATEWAY_TLS_KEY: keyPath } = config;
  if (certPath === undefined && keyPath === undefined) {
    if (config.GATEWAY_REQUIRE_TLS) throw new FerryError('CONFIG_INVALID', 'GATEWAY_REQUIRE_TLS needs GATEWAY_TLS_CERT and GATEWAY_TLS_KEY');
    return undefined;
  }
  if (certPath === undefined || keyPath === undefined) throw new FerryError('CONFIG_INVALID', 'set both GATEWAY_TLS_CERT and GATEWAY_TLS_KEY, or neither');
  const [cert, key] = await Promise.all([readFile(certPath), readFile(keyPath)]);
  return createSecureContext({ cert, key, minVersion: 'TLSv1.2' });
}

interface Wiring {
  readonly gatewayId: string;
  readonly metrics: GatewayMetrics;
  readonly events: EventSink;
  readonly platform: Platform;
  readonly passivePorts: PassivePorts;
}

function ftpSettings(runtime: ServiceRuntime, config: GatewayConfig, tls: SecureContext | undefined, wiring: Wiring): FtpSettings {
  const trusted = config.GATEWAY_PROXY_TRUSTED_CIDRS ?? [];
  return {
    gateway: wiring.gatewayId,
    storageRoot: config.FERRY_STORAGE_ROOT,
    uploads: new UploadLedger(wiring.gatewayId, config.GATEWAY_UPLOAD_STALE_AFTER),
    storagePace: new FsPace(),
    idleTimeoutMs: config.GATEWAY_IDLE_TIMEOUT,
    dataTimeoutMs: config.GATEWAY_DATA_TIMEOUT,
    publicAddress: config.GATEWAY_PUBLIC_ADDRESS,
    requireTls: config.GATEWAY_REQUIRE_TLS,
    tls,
    requireTlsReuse: config.GATEWAY_TLS_REQUIRE_SESSION_REUSE,
    checkDataAddress: config.GATEWAY_DATA_ADDRESS_CHECK,
    trustedProxies: trusted.length > 0 ? cidrBlockList(trusted) : undefined,
    passivePorts: wiring.passivePorts,
    platform: wiring.platform,
    events: wiring.events,
    metrics: wiring.metrics,
    logger: runtime.logger,
    clock: runtime.clock,
  };
}

async function startGateway(runtime: ServiceRuntime, config: GatewayConfig): Promise<StartedService> {
  const tls = await tlsContext(config);
  await mkdir(config.FERRY_STORAGE_ROOT, { recursive: true });
  const metrics = gatewayMetrics(runtime.metrics);
  const gatewayId = config.GATEWAY_ID ?? gatewayIdFromInstance(runtime.instance);
  const wiring: Wiring = {
    gatewayId,
    metrics,
    events: bufferedSink(runtime, runtime.bus, config.GATEWAY_EVENT_BUFFER, metrics),
    platform: natsPlatform(runtime.bus, gatewayId),
    passivePorts: new PassivePorts(config.GATEWAY_PASSIVE_PORTS, config.GATEWAY_FTP_HOST, (inUse) => metrics.passivePortsInUse.set(inUse), () => metrics.passivePortsExhausted.inc()),
  };
  const frontend = await FtpFrontend.start(ftpSettings(runtime, config, tls, wiring), {
    host: config.GATEWAY_FTP_HOST,
    port: config.GATEWAY_FTP_PORT,
    maxSessions: config.GATEWAY_MAX_SESSIONS,
  });
  const heartbeat = startSessionHeartbeat(wiring.platform, frontend, config.GATEWAY_SESSION_HEARTBEAT_INTERVAL, runtime.logger);
  const agent =
    config.GATEWAY_AGENT_PORT === undefined
      ? undefined
      : await startAgentCheck(config.GATEWAY_AGENT_HOST, config.GATEWAY_AGENT_PORT, () => ({
          draining: frontend.isLeaving,
          healthy: runtime.bus.isConnected() && heartbeat.healthy(),
          sessions: frontend.sessionCount,
          capacity: config.GATEWAY_MAX_SESSIONS,
        }));
  const responders = serveGatewayCommands(runtime.bus, gatewayId, frontend, wiring.events);
  runtime.logger.info({ gatewayId, ftpPort: frontend.port, agentPort: agent?.port, passive: config.GATEWAY_PASSIVE_PORTS, tls: tls !== undefined }, 'FTP gateway listening');
  const stop = async (reason: string) => {
    // HAProxy reads the agent every agent-inter: until it has read "drain", it may still send clients, who must not get 421.
    if (agent !== undefined && !frontend.isDraining) {
      frontend.announceDrain();
      runtime.logger.info({ reason, noticeMs: config.GATEWAY_DRAIN_NOTICE }, 'drain announced; logins accepted until the notice ends');
      await sleep(config.GATEWAY_DRAIN_NOTICE);
    }
    frontend.startDrain();
    await frontend.waitForTransfers(config.GATEWAY_DRAIN_GRACE);
    heartbeat.stop();
    await Promise.allSettled(responders.map((responder) => responder.stop()));
    runtime.logger.info({ reason }, 'closing FTP sessions');
    await frontend.close('gateway_stopped');
    await agent?.close();
    const { unsent } = await wiring.events.publisher.stop(10_000);
    if (unsent > 0) runtime.logger.error({ unsent }, 'events lost on stop: NATS did not take them in time');
  };
  return started(config, frontend, wiring, agent?.port, stop);
}

function started(config: GatewayConfig, frontend: FtpFrontend, wiring: Wiring, agentPort: number | undefined, stop: (reason: string) => Promise<void>): StartedService {
  const { publisher } = wiring.events;
  return {
    readiness: () => ({
      ftp: frontend.listening ? { ok: true } : { ok: false, detail: 'FTP port not listening' },
      events: wiring.events.isFull() ? { ok: false, detail: 'event buffer full' } : { ok: true },
    }),
    load: () => {
      wiring.metrics.eventBufferDepth.set(publisher.depth);
      return {
        sessions: frontend.sessionCount,
        capacity: config.GATEWAY_MAX_SESSIONS,
        activeTransfers: frontend.activeTransfers,
        eventBufferDepth: publisher.depth,
        eventBufferCapacity: config.GATEWAY_EVENT_BUFFER,
        passivePortsInUse: wiring.passivePorts.used,
      };
    },
    gauges: () => ({ ftpPort: frontend.port, ...(agentPort === undefined ? {} : { agentPort }) }),
    draining: () => frontend.isLeaving,
    stop,
  };
}
