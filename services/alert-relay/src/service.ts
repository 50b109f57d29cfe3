import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { publishEvent } from '@ferry/bus';
import { commonServiceEnv, envPort, envSecret, envUrl } from '@ferry/config';
import { ContractViolationError, eventDefinitionOf, type FerryEvent } from '@ferry/contracts';
import type { ServiceDefinition, ServiceRuntime, StartedService } from '@ferry/service';
import { z } from 'zod';
import { envRelayConfigFile } from './adapters/config-file.js';
import { startWatchdogConsumers, waitForHealthBacklog } from './adapters/consumers.js';
import { RelayEngine } from './adapters/engine.js';
import { buildApp } from './adapters/http-api.js';
import { registerRunbookRoute } from './adapters/runbooks.js';
import { StateStore } from './adapters/state-store.js';
import { postWebhook } from './adapters/webhook.js';
import type { RelayConfig } from './domain/config.js';
import type { EventIntent, RelayState } from './domain/model.js';

export const AlertRelayEnv = z.object({
  ...commonServiceEnv,
  ALERT_RELAY_CONFIG: envRelayConfigFile(),
  FERRY_API_HOST: z.string().trim().min(1).describe('the address the relay API binds').prefault('127.0.0.1'),
  FERRY_API_PORT: envPort({ allowZero: true }).prefault('9205'),
  FERRY_ADMIN_TOKEN: envSecret({ minLength: 32 }),
  ALERT_RELAY_ACTION_SECRET: envSecret({ minLength: 32 }).optional(),
  ALERT_RELAY_WEBHOOK_TOKEN: envSecret({ minLength: 16 }).optional(),
  ALERT_RELAY_PUBLIC_URL: envUrl({ protocols: ['http:', 'https:'] }).optional(),
  ALERT_RELAY_RUNBOOK_BASE_URL: envUrl({ protocols: ['http:', 'https:'] }).optional(),
  ALERT_RELAY_RUNBOOK_DIR: z.string().trim().min(1).describe('the folder of runbook pages the relay serves').prefault('runbooks'),
  ALERT_RELAY_KV_BUCKET: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'may only contain letters, digits, "_" and "-"' }).describe('a NATS KV bucket name').prefault('ferry_alert_relay'),
});
export type AlertRelayConfig = z.output<typeof AlertRelayEnv>;

export const alertRelayService: ServiceDefinition<typeof AlertRelayEnv> = {
  name: 'alert-relay',
  version: '0.2.0',
  config: AlertRelayEnv,
  start: startAlertRelay,
};

async function startAlertRelay(runtime: ServiceRuntime, env: AlertRelayConfig): Promise<StartedService> {
  const config = env.ALERT_RELAY_CONFIG;
  const store = await StateStore.open(runtime.bus, env.ALERT_RELAY_KV_BUCKET, env.FERRY_STREAM_REPLICAS);
  const initialState = await store.load();
  const actionSecret = env.ALERT_RELAY_ACTION_SECRET ?? createHmac('sha256', env.FERRY_ADMIN_TOKEN).update('ferry alert-relay action tokens').digest('hex');
  const urls: PublicUrls = { public: env.ALERT_RELAY_PUBLIC_URL, runbooks: env.ALERT_RELAY_RUNBOOK_BASE_URL };
  const engine = createEngine(runtime, config, store, initialState, actionSecret, urls);
  const app = buildApp({ engine, adminToken: env.FERRY_ADMIN_TOKEN, webhookToken: env.ALERT_RELAY_WEBHOOK_TOKEN, actionSecret, clock: runtime.clock, logger: runtime.logger });
  registerRunbookRoute(app, resolve(env.ALERT_RELAY_RUNBOOK_DIR));
  const address = await app.listen({ host: env.FERRY_API_HOST, port: env.FERRY_API_PORT });
  urls.public ??= address;
  const consumers = await startWatchdogConsumers({ bus: runtime.bus, source: runtime.source, clock: runtime.clock, observe: (input) => engine.observe(input) });
  if (!(await waitForHealthBacklog(runtime.bus, 10_000))) runtime.logger.warn('heartbeats received while the relay was away are still being read; evaluating anyway');
  engine.start();
  runtime.logger.info(
    { api: address, config: config.source, receivers: config.receivers.map((r) => r.name), pending: Object.keys(initialState.outbox).length },
    config.receivers.length === 0 ? 'alert-relay has no receiver configured (set ALERT_RELAY_CONFIG): alerts are recorded as events only' : 'alert-relay routing alerts',
  );
  return {
    readiness: () => ({ state: engine.healthy ? { ok: true } : { ok: false, detail: 'cannot store state in NATS KV' } }),
    gauges: () => ({ firing_alerts: Object.keys(engine.snapshot.alerts).length, pending_notifications: Object.keys(engine.snapshot.outbox).length }),
    stop: async () => {
      await Promise.allSettled(consumers.map((c) => c.stop()));
      await app.close();
      await engine.stop();
    },
  };
}

/** The relay's public base URL is known only once the API listens (port 0 in tests). */
interface PublicUrls {
  public: string | undefined;
  readonly runbooks: string | undefined;
}

function createEngine(runtime: ServiceRuntime, config: RelayConfig, store: StateStore, initialState: RelayState, actionSecret: string, urls: PublicUrls): RelayEngine {
  const deliveries = runtime.metrics.counter({ name: 'ferry_alert_relay_deliveries_total', help: 'Webhook delivery attempts by receiver and result', labelNames: ['receiver', 'result'] });
  return new RelayEngine({
    config,
    initialState,
    save: (state) => store.save(state),
    publish: (intent) => publishIntent(runtime, intent),
    post: postWebhook,
    logger: runtime.logger,
    clock: runtime.clock,
    random: Math.random,
    get runbookBaseUrl() {
      return urls.runbooks ?? `${urls.public}/runbooks`;
    },
    get actionBaseUrl() {
      return urls.public;
    },
    actionSecret,
    onDelivery: (receiver, result) => deliveries.inc({ receiver, result }),
  });
}

async function publishIntent(runtime: ServiceRuntime, intent: EventIntent): Promise<void> {
  const definition = eventDefinitionOf(intent.type);
  if (definition === undefined) throw new ContractViolationError(`unknown event type ${intent.type}`, 'type');
  let event: FerryEvent;
  try {
    event = runtime.newEvent(definition, intent.data) as FerryEvent;
  } catch (error) {
    // A relay bug, not a NATS problem: retrying cannot help, so record it loudly and move on.
    runtime.logger.error({ err: error, event: intent.type }, 'alert event does not match its contract; dropped');
    return;
  }
  await publishEvent(runtime.bus, event, { timeoutMs: 5_000 });
}
