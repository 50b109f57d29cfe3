import type { WatchdogRules } from './config.js';
import type { LabelSet } from './labels.js';

/**
 * Watchdog rules over health and activity events. `observe` folds what arrived
 * into the state; `evaluate` says, at a given time, which alerts should be firing.
 * The relay resolves any watchdog alert that stops being in that list.
 */

export interface InstanceInfo {
  readonly service: string;
  readonly instance: string;
  readonly lastSeenAt: number;
  readonly intervalMs: number;
  readonly eventBuffer?: { readonly depth: number; readonly capacity: number } | undefined;
  readonly gauges?: Readonly<Record<string, number>> | undefined;
}

export interface WatchdogState {
  readonly instances: Readonly<Record<string, InstanceInfo>>;
  /** gateway → second bucket (epoch s) → failed logins. */
  readonly loginFailures: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** consumer → times (epoch ms) of dead letters inside the window. */
  readonly deadLetters: Readonly<Record<string, readonly number[]>>;
}

export type WatchdogInput =
  | {
      readonly kind: 'heartbeat';
      readonly service: string;
      readonly instance: string;
      readonly at: number;
      readonly intervalMs: number;
      readonly eventBuffer?: { readonly depth: number; readonly capacity: number } | undefined;
      readonly gauges?: Readonly<Record<string, number>> | undefined;
    }
  | { readonly kind: 'stopped'; readonly service: string; readonly instance: string; readonly at: number }
  | { readonly kind: 'login_failed'; readonly gateway: string; readonly at: number }
  | { readonly kind: 'dead_lettered'; readonly consumer: string; readonly at: number };

export interface DesiredAlert {
  readonly labels: LabelSet;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: number;
}

/** Every alert name the watchdog can raise; each has a runbook (runbooks/<name>.md). */
export const WATCHDOG_ALERT_NAMES = ['ServiceDown', 'AllGatewaysDown', 'HighLoginFailureRate', 'EventBufferFilling', 'IndexerLag', 'DeadLetteredEvents'] as const;

export const initialWatchdogState = (): WatchdogState => ({ instances: {}, loginFailures: {}, deadLetters: {} });

const instanceKey = (service: string, instance: string) => `${service}/${instance}`;

export function observe(state: WatchdogState, input: WatchdogInput): WatchdogState {
  switch (input.kind) {
    case 'heartbeat': {
      const key = instanceKey(input.service, input.instance);
      const known = state.instances[key];
      if (known !== undefined && known.lastSeenAt > input.at) return state;
      const { kind: _kind, at, ...rest } = input;
      return { ...state, instances: { ...state.instances, [key]: { ...rest, lastSeenAt: at } } };
    }
    case 'stopped': {
      const key = instanceKey(input.service, input.instance);
      const known = state.instances[key];
      if (known === undefined || known.lastSeenAt > input.at) return state;
      const { [key]: _gone, ...instances } = state.instances;
      return { ...state, instances };
    }
    case 'login_failed': {
      const bucket = String(Math.floor(input.at / 1000));
      const buckets = state.loginFailures[input.gateway] ?? {};
      return { ...state, loginFailures: { ...state.loginFailures, [input.gateway]: { ...buckets, [bucket]: (buckets[bucket] ?? 0) + 1 } } };
    }
    case 'dead_lettered': {
      const times = state.deadLetters[input.consumer] ?? [];
      return { ...state, deadLetters: { ...state.deadLetters, [input.consumer]: [...times, input.at].slice(-1000) } };
    }
    default: {
      const _exhaustive: never = input;
      return _exhaustive;
    }
  }
}

/** Drops what no rule can use any more (login buckets and dead letters outside their windows). */
export function prune(state: WatchdogState, now: number, rules: WatchdogRules): WatchdogState {
  const loginFrom = Math.floor((now - rules.loginFailures.windowMs) / 1000);
  const loginFailures: Record<string, Record<string, number>> = {};
  for (const [gateway, buckets] of Object.entries(state.loginFailures)) {
    const kept = Object.fromEntries(Object.entries(buckets).filter(([second]) => Number(second) >= loginFrom));
    if (Object.keys(kept).length > 0) loginFailures[gateway] = kept;
  }
  const deadLetters: Record<string, number[]> = {};
  for (const [consumer, times] of Object.entries(state.deadLetters)) {
    const kept = times.filter((at) => at > now - rules.deadLetters.windowMs);
    if (kept.length > 0) deadLetters[consumer] = kept;
  }
  return { ...state, loginFailures, deadLetters };
}

/** How long an instance may stay silent: max(threshold, k × its own heartbeat interval). */
export function silenceLimitMs(info: InstanceInfo, rules: WatchdogRules): number {
  return Math.max(rules.serviceDown.thresholdMs, rules.serviceDown.intervalMultiplier * info.intervalMs);
}

export function evaluate(state: WatchdogState, now: number, rules: WatchdogRules): DesiredAlert[] {
  return [...serviceDown(state, now, rules), ...allGatewaysDown(state, now, rules), ...loginFailureRate(state, now, rules), ...eventBuffers(state, now, rules), ...indexerLag(state, now, rules), ...deadLettered(state, now, rules)];
}

function isDown(info: InstanceInfo, now: number, rules: WatchdogRules): boolean {
  return now - info.lastSeenAt > silenceLimitMs(info, rules);
}

function serviceDown(state: WatchdogState, now: number, rules: WatchdogRules): DesiredAlert[] {
  if (!rules.serviceDown.enabled) return [];
  return Object.values(state.instances)
    .filter((info) => isDown(info, now, rules))
    .map((info) => ({
      labels: { alertname: 'ServiceDown', severity: rules.serviceDown.severity, service: info.service, instance: info.instance },
      annotations: {
        summary: `${info.service} instance ${info.instance} has sent no heartbeat for ${seconds(now - info.lastSeenAt)}`,
        description: `Last heartbeat at ${new Date(info.lastSeenAt).toISOString()}; allowed silence ${seconds(silenceLimitMs(info, rules))}.`,
      },
      startsAt: info.lastSeenAt + silenceLimitMs(info, rules),
    }));
}

function allGatewaysDown(state: WatchdogState, now: number, rules: WatchdogRules): DesiredAlert[] {
  if (!rules.allGatewaysDown.enabled) return [];
  const gateways = Object.values(state.instances).filter((info) => info.service === 'ftp-gateway');
  if (gateways.length === 0 || !gateways.every((info) => isDown(info, now, rules))) return [];
  const since = Math.max(...gateways.map((info) => info.lastSeenAt + silenceLimitMs(info, rules)));
  return [
    {
      labels: { alertname: 'AllGatewaysDown', severity: rules.allGatewaysDown.severity, service: 'ftp-gateway' },
      annotations: { summary: `All ${gateways.length} FTP gateways are silent: no FTP service`, description: `Silent gateways: ${gateways.map((g) => g.instance).join(', ')}` },
      startsAt: since,
    },
  ];
}

function loginFailureRate(state: WatchdogState, now: number, rules: WatchdogRules): DesiredAlert[] {
  const rule = rules.loginFailures;
  if (!rule.enabled) return [];
  const from = Math.floor((now - rule.windowMs) / 1000);
  return Object.entries(state.loginFailures).flatMap(([gateway, buckets]) => {
    const count = Object.entries(buckets).reduce((sum, [second, n]) => (Number(second) >= from ? sum + n : sum), 0);
    if (count < rule.threshold) return [];
    return [
      {
        labels: { alertname: 'HighLoginFailureRate', severity: rule.severity, service: 'ftp-gateway', gateway },
        annotations: { summary: `${count} failed logins on gateway ${gateway} in ${seconds(rule.windowMs)} (threshold ${rule.threshold}): brute force in progress?` },
        startsAt: now,
      },
    ];
  });
}

function eventBuffers(state: WatchdogState, now: number, rules: WatchdogRules): DesiredAlert[] {
  const rule = rules.eventBuffer;
  if (!rule.enabled) return [];
  return Object.values(state.instances).flatMap((info) => {
    const buffer = info.eventBuffer;
    if (buffer === undefined || buffer.capacity === 0 || isDown(info, now, rules)) return [];
    const ratio = buffer.depth / buffer.capacity;
    if (ratio < rule.ratio) return [];
    return [
      {
        labels: { alertname: 'EventBufferFilling', severity: rule.severity, service: info.service, instance: info.instance },
        annotations: { summary: `${info.instance} event buffer is ${Math.round(ratio * 100)}% full (${buffer.depth}/${buffer.capacity}): NATS slow or away; new sessions will be refused when full` },
        startsAt: info.lastSeenAt,
      },
    ];
  });
}

function indexerLag(state: WatchdogState, now: number, rules: WatchdogRules): DesiredAlert[] {
  const rule = rules.indexerLag;
  if (!rule.enabled) return [];
  return Object.values(state.instances).flatMap((info) => {
    const lag = info.gauges?.[rule.gauge];
    if (info.service !== 'storage-indexer' || lag === undefined || lag < rule.threshold || isDown(info, now, rules)) return [];
    return [
      {
        labels: { alertname: 'IndexerLag', severity: rule.severity, service: info.service, instance: info.instance },
        annotations: { summary: `${info.instance} is ${lag} events behind (threshold ${rule.threshold})` },
        startsAt: info.lastSeenAt,
      },
    ];
  });
}

function deadLettered(state: WatchdogState, now: number, rules: WatchdogRules): DesiredAlert[] {
  const rule = rules.deadLetters;
  if (!rule.enabled) return [];
  return Object.entries(state.deadLetters).flatMap(([consumer, times]) => {
    const recent = times.filter((at) => at > now - rule.windowMs);
    if (recent.length < rule.threshold) return [];
    return [
      {
        labels: { alertname: 'DeadLetteredEvents', severity: rule.severity, consumer },
        annotations: { summary: `${recent.length} events dead-lettered by consumer ${consumer} in ${seconds(rule.windowMs)}` },
        startsAt: Math.min(...recent),
      },
    ];
  });
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 100) / 10}s`;
}
