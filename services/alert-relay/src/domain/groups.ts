import type { InhibitRule, RelayConfig } from './config.js';
import { digest, matchesAll, type LabelSet } from './labels.js';
import type { AlertRecord, GroupState, PendingNotification, RelayState, Silence } from './model.js';

/**
 * Alertmanager's aggregation groups: a group's first flush comes group_wait after
 * its first alert, later flushes every group_interval; a flush notifies when a new
 * alert fires, when a notified alert resolves (send_resolved), or when
 * repeat_interval has passed since the last notification. Resolved alerts leave
 * the group at the flush, so one resolved within group_wait is never sent.
 */

export function activeSilences(silences: RelayState['silences'], now: number): Silence[] {
  return Object.values(silences).filter((s) => !s.expired && s.startsAt <= now && now < s.endsAt);
}

export function isSilenced(labels: LabelSet, silences: readonly Silence[]): boolean {
  return silences.some((silence) => matchesAll(silence.matchers, labels));
}

export function isInhibited(target: AlertRecord, firing: readonly AlertRecord[], rules: readonly InhibitRule[]): boolean {
  return rules.some(
    (rule) =>
      matchesAll(rule.targetMatchers, target.labels) &&
      firing.some(
        (source) =>
          source.fingerprint !== target.fingerprint &&
          matchesAll(rule.sourceMatchers, source.labels) &&
          rule.equal.every((name) => (source.labels[name] ?? '') === (target.labels[name] ?? '')),
      ),
  );
}

export interface MuteContext {
  readonly silences: readonly Silence[];
  readonly firing: readonly AlertRecord[];
  readonly rules: readonly InhibitRule[];
}

export function muteContext(state: RelayState, config: RelayConfig, now: number): MuteContext {
  return {
    silences: activeSilences(state.silences, now),
    firing: Object.values(state.alerts).filter((a) => a.status === 'firing'),
    rules: config.inhibitRules,
  };
}

export function isMuted(alert: AlertRecord, mute: MuteContext): boolean {
  return isSilenced(alert.labels, mute.silences) || isInhibited(alert, mute.firing, mute.rules);
}

export interface FlushOutcome {
  /** undefined when the group has no alert left. */
  readonly group: GroupState | undefined;
  readonly notifications: readonly PendingNotification[];
}

export function flushGroup(group: GroupState, config: RelayConfig, mute: MuteContext, now: number): FlushOutcome {
  const alerts = Object.values(group.alerts);
  const firing = alerts.filter((a) => a.status === 'firing' && !isMuted(a, mute));
  const sent = new Set(group.lastSent?.firing ?? []);
  const sendResolved = config.receivers.find((r) => r.name === group.receiver)?.sendResolved ?? true;
  const resolved = sendResolved ? alerts.filter((a) => a.status === 'resolved' && sent.has(a.fingerprint)) : [];
  const hasNew = firing.some((a) => !sent.has(a.fingerprint));
  const repeat = firing.length > 0 && group.lastSent !== undefined && now - group.lastSent.at >= group.repeatIntervalMs;
  const notify = hasNew || resolved.length > 0 || repeat;

  const remaining = Object.fromEntries(alerts.filter((a) => a.status === 'firing').map((a) => [a.fingerprint, a]));
  const next: GroupState = {
    ...group,
    alerts: remaining,
    nextFlushAt: now + group.groupIntervalMs,
    ...(notify ? { lastSent: { firing: firing.map((a) => a.fingerprint), at: now }, seq: group.seq + 1 } : {}),
    ...(notify && firing.length > 0 && group.firstNotifiedAt === undefined ? { firstNotifiedAt: now } : {}),
  };
  const notifications = notify ? [newNotification(group, group.receiver, 0, [...firing, ...resolved], now)] : [];
  const ended = Object.keys(remaining).length === 0;
  if (ended && resolved.length > 0) notifications.push(...resolvedToEscalated(group, config, resolved, now));
  return { group: ended ? undefined : next, notifications };
}

/** The levels that were paged hear that it is over too (when their receiver wants resolved messages). */
function resolvedToEscalated(group: GroupState, config: RelayConfig, resolved: readonly AlertRecord[], now: number): PendingNotification[] {
  return group.escalation.slice(0, group.escalationLevel).flatMap((level, index) => {
    const wantsResolved = config.receivers.find((r) => r.name === level.receiver)?.sendResolved ?? true;
    return wantsResolved ? [newNotification(group, level.receiver, index + 1, resolved, now)] : [];
  });
}

/** The next escalation level, once its delay since the first notification has passed unacknowledged. */
export function escalate(group: GroupState, mute: MuteContext, now: number): FlushOutcome {
  const level = group.escalation[group.escalationLevel];
  const unchanged = { group, notifications: [] };
  if (level === undefined || group.acknowledged !== undefined || group.firstNotifiedAt === undefined) return unchanged;
  if (now - group.firstNotifiedAt < level.afterMs) return unchanged;
  const firing = Object.values(group.alerts).filter((a) => a.status === 'firing' && !isMuted(a, mute));
  if (firing.length === 0) return unchanged;
  const escalationLevel = group.escalationLevel + 1;
  return { group: { ...group, escalationLevel }, notifications: [newNotification(group, level.receiver, escalationLevel, firing, now)] };
}

function newNotification(group: GroupState, receiver: string, escalationLevel: number, alerts: readonly AlertRecord[], now: number): PendingNotification {
  const status = alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
  return {
    id: `n-${digest(group.key, String(group.createdAt), String(group.seq), receiver, String(escalationLevel), status)}`,
    receiver,
    groupKey: group.key,
    groupLabels: group.groupLabels,
    status,
    alerts,
    escalationLevel,
    createdAt: now,
    attempts: 0,
    nextAttemptAt: now,
  };
}
