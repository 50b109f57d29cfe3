import type { EscalationLevel, RouteConfig } from './config.js';
import { digest, matchesAll, type LabelSet } from './labels.js';

/** A leaf the alert landed on, with the settings it inherited from its parents. */
export interface ResolvedRoute {
  /** Position in the tree ("0", "0.2", ...): part of the group key. */
  readonly id: string;
  readonly receiver: string;
  readonly groupBy: readonly string[];
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly escalation: readonly EscalationLevel[];
}

type Settings = Omit<ResolvedRoute, 'id' | 'receiver'> & { readonly receiver: string | undefined };

const ROOT_DEFAULTS: Settings = {
  receiver: undefined,
  groupBy: ['alertname'],
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  repeatIntervalMs: 14_400_000,
  escalation: [],
};

/**
 * Alertmanager's routing: the root always matches; children are tried in order,
 * the first matching child wins unless it says `continue`; an alert no child
 * takes stays on the node itself. Settings are inherited down the tree.
 */
export function routesFor(root: RouteConfig, labels: LabelSet): ResolvedRoute[] {
  return walk(root, ROOT_DEFAULTS, '0', labels);
}

function walk(route: RouteConfig, parent: Settings, id: string, labels: LabelSet): ResolvedRoute[] {
  const settings = inherit(parent, route);
  const found: ResolvedRoute[] = [];
  for (const [index, child] of (route.routes ?? []).entries()) {
    if (!matchesAll(child.matchers ?? [], labels)) continue;
    found.push(...walk(child, settings, `${id}.${index}`, labels));
    if (child.continue !== true) break;
  }
  if (found.length > 0) return found;
  if (settings.receiver === undefined) return [];
  return [{ ...settings, id, receiver: settings.receiver }];
}

function inherit(parent: Settings, route: RouteConfig): Settings {
  return {
    receiver: route.receiver ?? parent.receiver,
    groupBy: route.groupBy ?? parent.groupBy,
    groupWaitMs: route.groupWaitMs ?? parent.groupWaitMs,
    groupIntervalMs: route.groupIntervalMs ?? parent.groupIntervalMs,
    repeatIntervalMs: route.repeatIntervalMs ?? parent.repeatIntervalMs,
    escalation: route.escalation ?? parent.escalation,
  };
}

/** The labels that define the alert's group on this route. */
export function groupLabelsOf(route: ResolvedRoute, labels: LabelSet): Record<string, string> {
  const names = route.groupBy.includes('...') ? Object.keys(labels) : route.groupBy;
  const out: Record<string, string> = {};
  for (const name of [...names].sort()) {
    const value = labels[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** `{route}:{label="value",...}`, digested when long so it fits events and tokens. */
export function groupKeyOf(route: ResolvedRoute, groupLabels: LabelSet): string {
  const body = Object.entries(groupLabels)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(',');
  const key = `${route.id}:{${body}}`;
  return key.length <= 256 ? key : `${route.id}:#${digest(body)}`;
}
