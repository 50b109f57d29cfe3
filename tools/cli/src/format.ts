/** Human-readable output of the users commands (--json prints the API's answer instead). */

export interface UserView {
  readonly username: string;
  readonly status: string;
  readonly version: number;
  readonly profile?: {
    readonly home: string;
    readonly permissions: Record<string, boolean>;
    readonly maxSessions: number;
    readonly allowedCidrs: readonly string[];
    readonly quotaBytes?: number;
    readonly quotaFiles?: number;
  };
  readonly disabledReason?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly deletedAt?: string;
}

export interface AuditEntry {
  readonly seq: number;
  readonly type: string;
  readonly time: string;
  readonly by: string;
  readonly data: Record<string, unknown>;
}

export const permissionsText = (permissions: Record<string, boolean> | undefined) =>
  Object.entries(permissions ?? {})
    .filter(([, allowed]) => allowed)
    .map(([name]) => name)
    .join(',') || 'none';

const cidrsText = (cidrs: readonly string[] | undefined) => (cidrs === undefined || cidrs.length === 0 ? 'any' : cidrs.join(','));

export function userTable(users: readonly UserView[]): string {
  if (users.length === 0) return 'no users\n';
  const rows = [['USER', 'STATUS', 'HOME', 'SESSIONS', 'PERMISSIONS', 'ADDRESSES', 'VERSION']];
  for (const user of users) {
    rows.push([user.username, user.status, user.profile?.home ?? '', String(user.profile?.maxSessions ?? ''), permissionsText(user.profile?.permissions), cidrsText(user.profile?.allowedCidrs), String(user.version)]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export function userDetails(user: UserView, events: readonly AuditEntry[]): string {
  const lines = [
    `user         ${user.username}`,
    `status       ${user.status}${user.disabledReason === undefined ? '' : ` (${user.disabledReason})`}`,
    `version      ${user.version}`,
  ];
  if (user.profile !== undefined) {
    lines.push(
      `home         ${user.profile.home}`,
      `permissions  ${permissionsText(user.profile.permissions)}`,
      `max sessions ${user.profile.maxSessions}`,
      `addresses    ${cidrsText(user.profile.allowedCidrs)}`,
    );
    if (user.profile.quotaBytes !== undefined) lines.push(`quota bytes  ${user.profile.quotaBytes}`);
    if (user.profile.quotaFiles !== undefined) lines.push(`quota files  ${user.profile.quotaFiles}`);
  }
  if (user.createdAt !== undefined) lines.push(`created      ${user.createdAt}`);
  if (user.updatedAt !== undefined) lines.push(`updated      ${user.updatedAt}`);
  if (user.deletedAt !== undefined) lines.push(`deleted      ${user.deletedAt}`);
  lines.push('', events.length === 0 ? 'no events shown' : `last ${events.length} event(s), newest first:`);
  for (const event of events) lines.push(`  #${event.seq}  ${event.time}  ${event.type.replace(/^ferry\.user\.|\.v\d+$/g, '')}  by ${event.by}${detailsOf(event)}`);
  return lines.join('\n') + '\n';
}

function detailsOf(event: AuditEntry): string {
  const { username: _username, by: _by, ...rest } = event.data;
  return Object.keys(rest).length === 0 ? '' : `  ${JSON.stringify(rest)}`;
}
