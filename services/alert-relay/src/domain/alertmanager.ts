import { z } from 'zod';
import { digest } from './labels.js';
import type { IncomingAlert } from './relay.js';

/** Alertmanager's webhook payload, version 4. Unknown extra fields are ignored. */
const LabelMap = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name'), z.string().max(1024));
const Time = z.iso.datetime({ offset: true, message: 'expected an RFC 3339 time' });

export const AlertmanagerPayload = z.object({
  version: z.literal('4', { error: 'expected "4"' }),
  groupKey: z.string().min(1).max(4096),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(256),
  groupLabels: LabelMap,
  commonLabels: LabelMap,
  commonAnnotations: z.record(z.string(), z.string()),
  externalURL: z.string().max(2048),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels: LabelMap.refine((labels) => labels.alertname !== undefined, 'needs an alertname label'),
        annotations: z.record(z.string(), z.string().max(16_384)),
        startsAt: Time,
        /** Alertmanager sends "0001-01-01T00:00:00Z" for "not ended". */
        endsAt: Time,
        generatorURL: z.string().max(4096).optional(),
        fingerprint: z.string().regex(/^[0-9a-f]{1,64}$/, 'expected a hex fingerprint'),
      }),
    )
    .min(1)
    .max(1000),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;

/** Alertmanager HA may deliver the same notification twice: same group, status and alert states → same key. */
export function payloadDedupKey(payload: AlertmanagerPayload): string {
  const states = payload.alerts.map((a) => `${a.fingerprint}:${a.status}`).sort();
  return digest(payload.groupKey, payload.status, ...states);
}

export function incomingAlerts(payload: AlertmanagerPayload): IncomingAlert[] {
  return payload.alerts.map((alert) => {
    const endsAt = Date.parse(alert.endsAt);
    return {
      fingerprint: alert.fingerprint,
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: Date.parse(alert.startsAt),
      ...(alert.status === 'resolved' && endsAt > 0 ? { endsAt } : {}),
      status: alert.status,
    };
  });
}
