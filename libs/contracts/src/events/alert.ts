import { z } from 'zod';
import { Identifier, IsoTime, NonNegativeInt } from '../primitives.js';
import { eventSubjects } from '../subjects.js';
import { defineEvent, type EventOf } from './define.js';

export const Severity = z.enum(['critical', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;

export const Labels = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus-style label name'), z.string().max(1024));
export type Labels = z.infer<typeof Labels>;

const AlertRef = z.object({
  /** Stable hash of the alert's labels (Alertmanager's fingerprint). */
  fingerprint: z.string().min(1).max(64),
  alertname: z.string().min(1).max(128),
  severity: Severity,
  labels: Labels,
});

export const AlertFired = defineEvent(
  'ferry.alert.fired.v1',
  AlertRef.extend({
    annotations: z.record(z.string(), z.string().max(4096)),
    startsAt: IsoTime,
    origin: z.enum(['watchdog', 'alertmanager']),
  }),
  () => eventSubjects.alert('fired'),
);

export const AlertResolved = defineEvent(
  'ferry.alert.resolved.v1',
  AlertRef.extend({ startsAt: IsoTime, endsAt: IsoTime }),
  () => eventSubjects.alert('resolved'),
);

export const AlertAcknowledged = defineEvent(
  'ferry.alert.acknowledged.v1',
  z.object({ groupKey: z.string().min(1).max(512), fingerprints: z.array(z.string().max(64)), by: z.string().min(1).max(128), at: IsoTime }),
  () => eventSubjects.alert('acknowledged'),
);

export const SilenceMatcher = z.object({ name: z.string().min(1), value: z.string(), isRegex: z.boolean().default(false), isEqual: z.boolean().default(true) });

export const AlertSilenced = defineEvent(
  'ferry.alert.silenced.v1',
  z.object({ silenceId: Identifier, matchers: z.array(SilenceMatcher).min(1), startsAt: IsoTime, endsAt: IsoTime, by: z.string().min(1).max(128), comment: z.string().max(1024) }),
  () => eventSubjects.alert('silenced'),
);

export const SilenceExpired = defineEvent(
  'ferry.alert.silence_expired.v1',
  z.object({ silenceId: Identifier, at: IsoTime, by: z.string().max(128).optional() }),
  () => eventSubjects.alert('silence_expired'),
);

const Notification = z.object({
  notificationId: Identifier,
  receiver: z.string().min(1).max(128),
  groupKey: z.string().min(1).max(512),
  status: z.enum(['firing', 'resolved']),
  fingerprints: z.array(z.string().max(64)),
  escalationLevel: NonNegativeInt,
  attempts: z.number().int().positive(),
});

export const NotificationDelivered = defineEvent(
  'ferry.alert.notification_delivered.v1',
  Notification.extend({ httpStatus: z.number().int(), deliveredAt: IsoTime }),
  () => eventSubjects.alert('notification_delivered'),
);

export const NotificationFailed = defineEvent(
  'ferry.alert.notification_failed.v1',
  Notification.extend({ httpStatus: z.number().int().optional(), error: z.string().max(1024), failedAt: IsoTime }),
  () => eventSubjects.alert('notification_failed'),
);

export const alertEvents = [AlertFired, AlertResolved, AlertAcknowledged, AlertSilenced, SilenceExpired, NotificationDelivered, NotificationFailed] as const;
export type AlertFired = EventOf<typeof AlertFired>;
export type AlertResolved = EventOf<typeof AlertResolved>;
export type AlertAcknowledged = EventOf<typeof AlertAcknowledged>;
export type AlertSilenced = EventOf<typeof AlertSilenced>;
export type SilenceExpired = EventOf<typeof SilenceExpired>;
export type NotificationDelivered = EventOf<typeof NotificationDelivered>;
export type NotificationFailed = EventOf<typeof NotificationFailed>;
export type AlertEvent = AlertFired | AlertResolved | AlertAcknowledged | AlertSilenced | SilenceExpired | NotificationDelivered | NotificationFailed;
