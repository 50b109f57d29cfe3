/**
 * Every NATS subject Ferry uses. Nothing outside this library writes a subject as
 * a string literal: call these functions instead.
 *
 *   ferry.evt.<domain>.…   events, stored in JetStream streams (see streams.ts)
 *   ferry.rpc.<service>.…  request/reply to services
 *   ferry.cmd.gateway.<id>.… commands to one gateway
 *   ferry.dlq.<consumer>   dead letters: messages a consumer could not accept
 */

/** Encodes a value as one subject token: '.', '*', '>', whitespace and '%' become %XX. */
export function subjectToken(value: string): string {
  return value.replace(/[^A-Za-z0-9_@-]/g, (ch) =>
    Array.from(Buffer.from(ch, 'utf8'))
      .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
}

export function decodeSubjectToken(token: string): string {
  return decodeURIComponent(token);
}

export const eventSubjects = {
  user: (username: string) => `ferry.evt.user.${subjectToken(username)}`,
  allUsers: 'ferry.evt.user.>',
  auth: (event: string) => `ferry.evt.auth.${event}`,
  allAuth: 'ferry.evt.auth.>',
  session: (event: string) => `ferry.evt.session.${event}`,
  allSessions: 'ferry.evt.session.>',
  transfer: (event: string) => `ferry.evt.transfer.${event}`,
  allTransfers: 'ferry.evt.transfer.>',
  fs: (event: string) => `ferry.evt.fs.${event}`,
  allFs: 'ferry.evt.fs.>',
  health: (event: string) => `ferry.evt.health.${event}`,
  allHealth: 'ferry.evt.health.>',
  alert: (event: string) => `ferry.evt.alert.${event}`,
  allAlerts: 'ferry.evt.alert.>',
  all: 'ferry.evt.>',
} as const;

export const rpcSubjects = {
  authLogin: 'ferry.rpc.auth.login',
  sessionAdmit: 'ferry.rpc.session.admit',
  sessionOpen: 'ferry.rpc.session.open',
  sessionHeartbeat: 'ferry.rpc.session.heartbeat',
  sessionClose: 'ferry.rpc.session.close',
} as const;

export const commandSubjects = {
  gatewayKick: (gatewayId: string) => `ferry.cmd.gateway.${subjectToken(gatewayId)}.kick`,
  gatewayDrain: (gatewayId: string) => `ferry.cmd.gateway.${subjectToken(gatewayId)}.drain`,
  allForGateway: (gatewayId: string) => `ferry.cmd.gateway.${subjectToken(gatewayId)}.>`,
} as const;

export const deadLetterSubjects = {
  forConsumer: (consumer: string) => `ferry.dlq.${subjectToken(consumer)}`,
  all: 'ferry.dlq.>',
} as const;

/** NATS wildcard matching: '*' matches one token, '>' one or more trailing tokens. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const want = pattern.split('.');
  const have = subject.split('.');
  for (let i = 0; i < want.length; i++) {
    const token = want[i];
    if (token === '>') return have.length > i;
    if (i >= have.length) return false;
    if (token !== '*' && token !== have[i]) return false;
  }
  return want.length === have.length;
}
