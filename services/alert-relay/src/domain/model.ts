import type { EscalationLevel } from './config.js';
import type { Matcher } from './labels.js';
import { initialWatchdogState, type WatchdogState } from './watchdog.js';

/** The relay's whole state: plain JSON, persisted as one document. Times are epoch ms. */

export type AlertStatus = 'firing' | 'resolved';
export type AlertOrigin = 'watchdog' | 'alertmanager';

export interface AlertRecord {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: number;
  readonly endsAt?: number | undefined;
  readonly status: AlertStatus;
  readonly origin: AlertOrigin;
}

export interface GroupState {
  readonly key: string;
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly escalation: readonly EscalationLevel[];
  readonly alerts: Readonly<Record<string, AlertRecord>>;
  readonly nextFlushAt: number;
  readonly lastSent?: { readonly firing: readonly string[]; readonly at: number } | undefined;
  readonly firstNotifiedAt?: number | undefined;
  /** 0 = the route's own receiver; N = escalation[N-1] has been notified. */
  readonly escalationLevel: number;
  readonly acknowledged?: { readonly by: string; readonly at: number } | undefined;
  readonly seq: number;
}

export interface PendingNotification {
  /** Also the dedup key: stable across restarts and retries. */
  readonly id: string;
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly status: AlertStatus;
  readonly alerts: readonly AlertRecord[];
  readonly escalationLevel: number;
  readonly createdAt: number;
  readonly attempts: number;
  readonly firstAttemptAt?: number | undefined;
  readonly nextAttemptAt: number;
}

export interface NotificationRecord {
  readonly id: string;
  readonly receiver: string;
  readonly groupKey: string;
  readonly status: AlertStatus;
  readonly fingerprints: readonly string[];
  readonly escalationLevel: number;
  readonly attempts: number;
  readonly outcome: 'pending' | 'delivered' | 'failed';
  readonly httpStatus?: number | undefined;
  readonly error?: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly by: string;
  readonly comment: string;
  readonly expired: boolean;
}

/** An event the relay owes to FERRY_ALERTS; the adapter builds the envelope. */
export interface EventIntent {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface RelayState {
  readonly alerts: Readonly<Record<string, AlertRecord>>;
  readonly groups: Readonly<Record<string, GroupState>>;
  readonly silences: Readonly<Record<string, Silence>>;
  readonly outbox: Readonly<Record<string, PendingNotification>>;
  readonly recent: readonly NotificationRecord[];
  /** Alertmanager payload dedup keys → when first seen. */
  readonly seenPayloads: Readonly<Record<string, number>>;
  readonly watchdog: WatchdogState;
  /** Events not yet stored in JetStream. */
  readonly pendingEvents: readonly EventIntent[];
}

export const initialRelayState = (): RelayState => ({
  alerts: {},
  groups: {},
  silences: {},
  outbox: {},
  recent: [],
  seenPayloads: {},
  watchdog: initialWatchdogState(),
  pendingEvents: [],
});
