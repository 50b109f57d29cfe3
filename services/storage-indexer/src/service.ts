import { basename } from 'node:path';
import Database from 'better-sqlite3';
import type { ServiceDefinition, StartedService, ServiceRuntime } from '@ferry/service';
import { startBatchConsumer } from './adapters/batch-consumer.js';
import { activityStreamState } from './adapters/stream-state.js';
import { ackFloor, catchUp } from './adapters/catch-up.js';
import { watchForRebuild } from './adapters/hand-over.js';
import { buildApp } from './adapters/http/app.js';
import { StoreFiles, StoreHolder } from './adapters/store-files.js';
import { IndexerEnv, type IndexerConfig } from './config.js';
import { lagCheck, lagOf, type Lag } from './domain/lag.js';

export const VERSION = '0.1.0';

function indexerMetrics(runtime: ServiceRuntime) {
  return {
    events: runtime.metrics.counter({ name: 'ferry_indexer_events_total', help: 'Consumed activity messages by outcome', labelNames: ['outcome'] }),
    lagEvents: runtime.metrics.gauge({ name: 'ferry_indexer_lag_events', help: 'FERRY_ACTIVITY last sequence minus the applied sequence' }),
    lagSeconds: runtime.metrics.gauge({ name: 'ferry_indexer_lag_seconds', help: 'Seconds between the newest stored event and the last applied one' }),
    anomalies: runtime.metrics.gauge({ name: 'ferry_indexer_anomalies', help: 'Out-of-order or unknown-path events applied, by kind', labelNames: ['kind'] }),
  };
}

/** Polls the stream's last sequence and keeps the lag for /readyz, /lag, metrics and heartbeats. */
function startLagWatch(runtime: ServiceRuntime, holder: StoreHolder, metrics: ReturnType<typeof indexerMetrics>, intervalMs: number) {
  let lag: Lag | undefined;
  let stopped = false;
  const refresh = async () => {
    try {
      const stream = await activityStreamState(runtime.bus);
      if (stopped) return;
      lag = lagOf(stream, holder.current.position());
      metrics.lagEvents.set(lag.events);
      if (lag.secondsBehind !== null) metrics.lagSeconds.set(lag.secondsBehind);
      for (const [kind, count] of Object.entries(holder.current.anomalies())) metrics.anomalies.set({ kind }, count);
    } catch (error) {
      runtime.logger.warn({ err: error }, 'could not read the stream state for lag');
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), intervalMs);
  return {
    current: () => lag,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

async function start(runtime: ServiceRuntime, config: IndexerConfig): Promise<StartedService> {
  const files = new StoreFiles(config.FERRY_STATE_DIR);
  const holder = new StoreHolder(files.open());
  const metrics = indexerMetrics(runtime);
  // A store behind its durable's ack floor (a rebuild swapped in while the indexer was down) catches up first.
  await catchUp(runtime.bus, holder.current, await ackFloor(runtime.bus, config.FERRY_INDEXER_DURABLE));
  const consumer = await startBatchConsumer(runtime.bus, holder, {
    durable: config.FERRY_INDEXER_DURABLE,
    source: runtime.source,
    batchSize: config.FERRY_INDEXER_BATCH,
    ackWaitMs: config.FERRY_INDEXER_ACK_WAIT,
    logger: runtime.logger,
    onOutcome: (outcome, count) => {
      if (count > 0) metrics.events.inc({ outcome }, count);
    },
  });
  const lag = startLagWatch(runtime, holder, metrics, config.FERRY_INDEXER_LAG_INTERVAL);
  const handOver = watchForRebuild(runtime.bus, files, holder, runtime.logger, config.FERRY_INDEXER_LAG_INTERVAL);
  const app = await buildApp({
    db: () => holder.current.db,
    openReader: () => new Database(holder.current.file, { readonly: true, fileMustExist: true }),
    queryToken: config.FERRY_QUERY_TOKEN,
    lag: lag.current,
    logger: runtime.logger,
  });
  const url = await app.listen({ host: config.FERRY_API_HOST, port: config.FERRY_API_PORT });
  runtime.logger.info({ api: url, store: holder.current.file }, 'query API listening');
  const maxLagSeconds = config.FERRY_INDEXER_MAX_LAG / 1_000;
  return {
    readiness: () => ({ store: { ok: true, file: basename(holder.current.file) }, lag: lagCheck(lag.current(), maxLagSeconds) }),
    gauges: () => {
      const current = lag.current();
      return current === undefined ? undefined : { lagEvents: current.events, ...(current.secondsBehind === null ? {} : { lagSeconds: current.secondsBehind }) };
    },
    stop: async () => {
      lag.stop();
      handOver.stop();
      await app.close();
      await consumer.stop();
      holder.current.close();
    },
  };
}

export const storageIndexer: ServiceDefinition<typeof IndexerEnv> = {
  name: 'storage-indexer',
  version: VERSION,
  config: IndexerEnv,
  start,
};
