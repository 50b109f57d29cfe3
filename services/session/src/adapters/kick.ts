import { FerryError, gatewayCommands, SessionKicked } from '@ferry/contracts';
import { publishEvent, request } from '@ferry/bus';
import type { ServiceRuntime } from '@ferry/service';
import type { SessionRecord } from '../domain/sessions.js';
import { NotFoundError } from '../errors.js';
import type { SessionStore } from './session-store.js';

export interface KickResult {
  readonly session: SessionRecord;
  /** True when the owning gateway confirmed it closed the connection. */
  readonly gatewayConfirmed: boolean;
  /** Why the gateway did not confirm: RPC_NO_RESPONDERS, RPC_TIMEOUT, GATEWAY_SESSION_UNKNOWN (it does not hold the session)... */
  readonly gatewayError?: string;
}

/**
 * Kicks a session: asks its gateway to close it, then removes it from the store
 * and publishes `session.kicked`, whether or not the gateway answered (a
 * gateway that does not answer may be dead; its heartbeat would also report
 * the session unknown from now on).
 */
export async function kickSession(runtime: Pick<ServiceRuntime, 'bus' | 'newEvent' | 'logger'>, store: SessionStore, sessionId: string, by: string, reason?: string): Promise<KickResult> {
  const session = await store.get(sessionId);
  if (!session) throw new NotFoundError('SESSION_NOT_FOUND', `no live session ${sessionId}`);
  let gatewayConfirmed = false;
  let gatewayError: string | undefined;
  try {
    const reply = await request(runtime.bus, gatewayCommands(session.gateway).kick, { sessionId, by, ...(reason === undefined ? {} : { reason }) });
    gatewayConfirmed = reply.kicked;
    if (!reply.kicked) gatewayError = 'GATEWAY_SESSION_UNKNOWN';
  } catch (error) {
    gatewayError = error instanceof FerryError ? error.code : 'GATEWAY_UNREACHABLE';
    runtime.logger.warn({ err: error, sessionId, gateway: session.gateway }, 'gateway did not confirm the kick; removing the session anyway');
  }
  const removed = await store.remove(sessionId);
  const kicked = runtime.newEvent(SessionKicked, {
    sessionId,
    username: session.username,
    clientIp: session.clientIp,
    gateway: session.gateway,
    by,
    ...(reason === undefined ? {} : { reason }),
  });
  await publishEvent(runtime.bus, kicked);
  return { session: removed ?? session, gatewayConfirmed, ...(gatewayError === undefined ? {} : { gatewayError }) };
}
