import { z } from 'zod';
import { isValidRegex, type Matcher } from './labels.js';

/**
 * The relay's rules, routes and receivers (ALERT_RELAY_CONFIG, JSON). Durations are
 * milliseconds. Webhook URLs are secrets: nothing here ever prints them.
 */

const LabelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name such as severity');
const Ms = z.number().int().nonnegative();
const PositiveMs = z.number().int().positive();
const SeverityValue = z.enum(['critical', 'warning', 'info']);

export const MatcherSchema = z
  .object({ name: LabelName, value: z.string().max(1024), isRegex: z.boolean().default(false), isEqual: z.boolean().default(true) })
  .refine((m) => !m.isRegex || isValidRegex(m.value), { message: 'is not a valid regular expression', path: ['value'] });

const ReceiverSchema = z.object({
  name: z.string().min(1).max(128),
  /** Mattermost-style incoming webhook URL: a secret. */
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) webhook URL' }),
  channel: z.string().min(1).max(128).optional(),
  username: z.string().min(1).max(128).optional(),
  iconUrl: z.url().optional(),
  sendResolved: z.boolean().default(true),
});
export type ReceiverConfig = z.output<typeof ReceiverSchema>;

const EscalationSchema = z.object({ afterMs: PositiveMs, receiver: z.string().min(1) });
export type EscalationLevel = z.output<typeof EscalationSchema>;

export interface RouteConfig {
  readonly receiver?: string | undefined;
  readonly matchers?: readonly Matcher[] | undefined;
  /** Labels that form a group; ["..."] groups by every label. */
  readonly groupBy?: readonly string[] | undefined;
  readonly groupWaitMs?: number | undefined;
  readonly groupIntervalMs?: number | undefined;
  readonly repeatIntervalMs?: number | undefined;
  readonly continue?: boolean | undefined;
  readonly escalation?: readonly EscalationLevel[] | undefined;
  readonly routes?: readonly RouteConfig[] | undefined;
}

const RouteSchema: z.ZodType<RouteConfig> = z.lazy(() =>
  z.object({
    receiver: z.string().min(1).optional(),
    matchers: z.array(MatcherSchema).optional(),
    groupBy: z.array(z.union([LabelName, z.literal('...')])).optional(),
    groupWaitMs: Ms.optional(),
    groupIntervalMs: PositiveMs.optional(),
    repeatIntervalMs: PositiveMs.optional(),
    continue: z.boolean().optional(),
    escalation: z.array(EscalationSchema).optional(),
    routes: z.array(RouteSchema).optional(),
  }),
);

const InhibitRuleSchema = z.object({
  sourceMatchers: z.array(MatcherSchema).min(1),
  targetMatchers: z.array(MatcherSchema).min(1),
  /** Labels that must be equal on source and target. */
  equal: z.array(LabelName).default([]),
});
export type InhibitRule = z.output<typeof InhibitRuleSchema>;

const rule = <T extends z.ZodRawShape>(shape: T) => z.object({ enabled: z.boolean().default(true), severity: SeverityValue.default('warning'), ...shape });

const WatchdogSchema = z.object({
  evaluationIntervalMs: PositiveMs.default(1_000),
  serviceDown: rule({ thresholdMs: PositiveMs.default(30_000), intervalMultiplier: z.number().positive().default(3) }).prefault({}),
  allGatewaysDown: rule({}).extend({ severity: SeverityValue.default('critical') }).prefault({}),
  loginFailures: rule({ windowMs: PositiveMs.default(60_000), threshold: z.number().int().positive().default(50) }).prefault({}),
  eventBuffer: rule({ ratio: z.number().positive().max(1).default(0.8) }).prefault({}),
  indexerLag: rule({ gauge: z.string().min(1).max(64).default('lagEvents'), threshold: z.number().positive().default(10_000) }).prefault({}),
  deadLetters: rule({ windowMs: PositiveMs.default(600_000), threshold: z.number().int().positive().default(1) }).prefault({}),
});
export type WatchdogRules = z.output<typeof WatchdogSchema>;

const DeliverySchema = z.object({
  timeoutMs: PositiveMs.default(5_000),
  initialBackoffMs: PositiveMs.default(1_000),
  maxBackoffMs: PositiveMs.default(60_000),
  /** A notification still failing after this long is given up and recorded as failed. */
  giveUpAfterMs: PositiveMs.default(3_600_000),
});
export type DeliverySettings = z.output<typeof DeliverySchema>;

const defaultInhibitRules = [
  {
    sourceMatchers: [{ name: 'alertname', value: 'AllGatewaysDown' }],
    targetMatchers: [{ name: 'alertname', value: 'ServiceDown' }, { name: 'service', value: 'ftp-gateway' }],
    equal: ['service'],
  },
];

export const RelayConfigSchema = z
  .object({
    receivers: z.array(ReceiverSchema).default([]),
    route: RouteSchema.prefault({}),
    inhibitRules: z.array(InhibitRuleSchema).prefault(defaultInhibitRules),
    watchdog: WatchdogSchema.prefault({}),
    delivery: DeliverySchema.prefault({}),
    actions: z.object({ silenceMs: PositiveMs.default(3_600_000), tokenTtlMs: PositiveMs.default(86_400_000) }).prefault({}),
    history: z.object({ recentNotifications: z.number().int().positive().default(200), payloadDedupMs: PositiveMs.default(3_600_000) }).prefault({}),
  })
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    config.receivers.forEach((receiver, index) => {
      if (names.has(receiver.name)) ctx.addIssue({ code: 'custom', path: ['receivers', index, 'name'], message: `receiver "${receiver.name}" is defined twice` });
      names.add(receiver.name);
    });
    if (config.receivers.length > 0 && config.route.receiver === undefined) ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: 'the root route needs a receiver' });
    checkRouteReceivers(config.route, ['route'], names, ctx);
  });
export type RelayConfig = z.output<typeof RelayConfigSchema>;

function checkRouteReceivers(route: RouteConfig, path: (string | number)[], names: ReadonlySet<string>, ctx: z.RefinementCtx): void {
  const unknown = (name: string, at: (string | number)[]) => ctx.addIssue({ code: 'custom', path: at, message: `names receiver "${name}", which is not in receivers` });
  if (route.receiver !== undefined && !names.has(route.receiver)) unknown(route.receiver, [...path, 'receiver']);
  route.escalation?.forEach((level, index) => {
    if (!names.has(level.receiver)) unknown(level.receiver, [...path, 'escalation', index, 'receiver']);
  });
  route.routes?.forEach((child, index) => checkRouteReceivers(child, [...path, 'routes', index], names, ctx));
}

/** Used when ALERT_RELAY_CONFIG is unset: watchdog rules on, alerts recorded as events, no chat receiver. */
export const BUILT_IN_CONFIG_JSON = { receivers: [], route: {} };

/** The first problem, as "field.path: message" (never a value). */
export function describeConfigIssue(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
