import type { ReceiverConfig } from './config.js';
import type { AlertRecord, PendingNotification } from './model.js';
import { alertNameOf, severityOf } from './labels.js';

/** Mattermost's incoming-webhook body (Slack-compatible attachments, plus interactive actions). */
export interface MattermostMessage {
  readonly text: string;
  readonly channel?: string;
  readonly username?: string;
  readonly icon_url?: string;
  readonly attachments: readonly MattermostAttachment[];
}

export interface MattermostAttachment {
  readonly fallback: string;
  readonly color: string;
  readonly title: string;
  readonly title_link: string;
  readonly text: string;
  readonly fields: readonly { readonly title: string; readonly value: string; readonly short: boolean }[];
  readonly actions?: readonly MattermostAction[];
}

export interface MattermostAction {
  readonly id: string;
  readonly name: string;
  readonly type: 'button';
  readonly integration: { readonly url: string; readonly context: { readonly token: string } };
}

export interface MessageOptions {
  readonly runbookBaseUrl: string;
  /** Base URL Mattermost posts button clicks to; no buttons without it. */
  readonly actionBaseUrl?: string | undefined;
  readonly tokens?: { readonly ack: string; readonly silence: string } | undefined;
}

const COLORS = { critical: '#d00000', warning: '#ff9900', info: '#439fe0', resolved: '#2eb886' } as const;
const MAX_ATTACHMENTS = 20;

export function runbookUrl(base: string, alertname: string): string {
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(alertname)}.md`;
}

export function buildMessage(notification: PendingNotification, receiver: ReceiverConfig, options: MessageOptions): MattermostMessage {
  const firing = notification.alerts.filter((a) => a.status === 'firing');
  const resolved = notification.alerts.filter((a) => a.status === 'resolved');
  const shown = notification.alerts.slice(0, MAX_ATTACHMENTS);
  const attachments = shown.map((alert) => attachmentFor(alert, options.runbookBaseUrl));
  const first = attachments[0];
  if (first !== undefined && firing.length > 0 && options.actionBaseUrl !== undefined && options.tokens !== undefined) {
    attachments[0] = { ...first, actions: actionsFor(options.actionBaseUrl, options.tokens) };
  }
  return {
    text: headline(notification, firing, resolved),
    ...(receiver.channel !== undefined ? { channel: receiver.channel } : {}),
    ...(receiver.username !== undefined ? { username: receiver.username } : {}),
    ...(receiver.iconUrl !== undefined ? { icon_url: receiver.iconUrl } : {}),
    attachments,
  };
}

function headline(n: PendingNotification, firing: readonly AlertRecord[], resolved: readonly AlertRecord[]): string {
  const names = [...new Set(n.alerts.map((a) => alertNameOf(a.labels)))].join(', ');
  const counts = [firing.length > 0 ? `FIRING:${firing.length}` : '', resolved.length > 0 ? `RESOLVED:${resolved.length}` : ''].filter(Boolean).join(' ');
  const where = Object.entries(n.groupLabels).map(([k, v]) => `${k}=${v}`).join(' ');
  const escalation = n.escalationLevel > 0 ? ` — escalated (level ${n.escalationLevel}, not acknowledged)` : '';
  const more = n.alerts.length > MAX_ATTACHMENTS ? ` (${n.alerts.length - MAX_ATTACHMENTS} more not shown)` : '';
  const icon = firing.length > 0 ? ':rotating_light:' : ':white_check_mark:';
  return `${icon} **[${counts}] ${names}**${where ? ` (${where})` : ''}${escalation}${more}`;
}

function attachmentFor(alert: AlertRecord, runbookBase: string): MattermostAttachment {
  const name = alertNameOf(alert.labels);
  const severity = severityOf(alert.labels);
  const where = alert.labels.instance ?? alert.labels.gateway ?? alert.labels.consumer ?? alert.labels.service ?? '';
  const link = runbookUrl(runbookBase, name);
  const summary = alert.annotations.summary ?? alert.annotations.description ?? name;
  const state = alert.status === 'resolved' ? `RESOLVED at ${new Date(alert.endsAt ?? alert.startsAt).toISOString()}` : severity.toUpperCase();
  return {
    fallback: `[${state}] ${name} ${where}: ${summary} — runbook ${link}`,
    color: alert.status === 'resolved' ? COLORS.resolved : COLORS[severity],
    title: `[${state}] ${name}${where ? ` — ${where}` : ''}`,
    title_link: link,
    text: `${summary}\nRunbook: ${link}`,
    fields: [
      { title: 'Severity', value: severity, short: true },
      { title: 'Service', value: alert.labels.service ?? alert.labels.job ?? '-', short: true },
      { title: 'Instance', value: alert.labels.instance ?? alert.labels.exported_instance ?? alert.labels.gateway ?? '-', short: true },
      { title: 'Since', value: new Date(alert.startsAt).toISOString(), short: true },
    ],
  };
}

function actionsFor(base: string, tokens: { readonly ack: string; readonly silence: string }): MattermostAction[] {
  const root = base.replace(/\/+$/, '');
  return [
    { id: 'ack', name: 'Acknowledge', type: 'button', integration: { url: `${root}/actions/ack`, context: { token: tokens.ack } } },
    { id: 'silence', name: 'Silence 1h', type: 'button', integration: { url: `${root}/actions/silence`, context: { token: tokens.silence } } },
  ];
}
