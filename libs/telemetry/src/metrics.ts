import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

// Types only: metrics are made through `Metrics`, which registers them on the right registry.
export type { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  readonly service: string;
  readonly instance: string;
  /** Process metrics (CPU, memory, event loop lag, GC); on unless turned off. */
  readonly collectDefaults?: boolean;
}

/** The registry is fixed by `createMetrics`, so callers cannot register elsewhere by mistake. */
type OnOwnRegistry<Config> = Omit<Config, 'registers'>;

export interface Metrics {
  /** This service's registry (never prom-client's global one), served on /metrics. */
  readonly registry: Registry;
  counter<Label extends string = string>(config: OnOwnRegistry<CounterConfiguration<Label>>): Counter<Label>;
  gauge<Label extends string = string>(config: OnOwnRegistry<GaugeConfiguration<Label>>): Gauge<Label>;
  histogram<Label extends string = string>(config: OnOwnRegistry<HistogramConfiguration<Label>>): Histogram<Label>;
}

/**
 * One registry per service, labelled with `service` and `instance` on every
 * series. A registry of its own (not the global one) keeps tests and
 * several services in one process from colliding on metric names.
 */
export function createMetrics({ service, instance, collectDefaults = true }: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service, instance });
  if (collectDefaults) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    counter: (config) => new Counter({ ...config, registers }),
    gauge: (config) => new Gauge({ ...config, registers }),
    histogram: (config) => new Histogram({ ...config, registers }),
  };
}
