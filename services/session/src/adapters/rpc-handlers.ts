import { SessionAdmit, SessionClose, SessionHeartbeat, SessionOpen } from '@ferry/contracts';
import { serve, type Responder } from '@ferry/bus';
import type { ServiceRuntime } from '@ferry/service';
import { decideAdmission } from '../domain/policy.js';
import type { BanStore } from './ban-store.js';
import type { SessionStore } from './session-store.js';

export interface RpcDeps {
  readonly runtime: ServiceRuntime;
  readonly bans: BanStore;
  readonly sessions: SessionStore;
  readonly decisions: { inc(labels: { rpc: string; result: string }): void };
}

/**
 * The gateway's calls. A store failure throws SESSION_STORE_UNAVAILABLE
 * (retryable) to the caller: admission and open fail closed.
 */
export function serveSessionRpcs(deps: RpcDeps): Responder[] {
  const { runtime, bans, sessions, decisions } = deps;
  const now = () => runtime.clock().getTime();
  const counted = async <T>(rpc: string, work: () => Promise<T>, result: (value: T) => string): Promise<T> => {
    try {
      const value = await work();
      decisions.inc({ rpc, result: result(value) });
      return value;
    } catch (error) {
      decisions.inc({ rpc, result: 'error' });
      throw error;
    }
  };

  const admit = serve(runtime.bus, SessionAdmit, (body) =>
    counted(
      'admit',
      async () => decideAdmission(await bans.blockState(body.clientIp, body.username, now())),
      (reply) => (reply.admitted ? 'admitted' : reply.reason),
    ),
  );

  const open = serve(runtime.bus, SessionOpen, (body) =>
    counted(
      'open',
      async () => {
        const blocked = decideAdmission(await bans.blockState(body.clientIp, body.username, now()));
        if (!blocked.admitted) return { opened: false as const, reason: blocked.reason, retryAfterS: blocked.retryAfterS };
        return sessions.open({ ...body, nowMs: now() });
      },
      (reply) => (reply.opened ? 'opened' : reply.reason),
    ),
  );

  const heartbeat = serve(runtime.bus, SessionHeartbeat, (body) =>
    counted('heartbeat', () => sessions.heartbeat(body.gateway, body.sessionIds, now()), () => 'ok'),
  );

  const close = serve(runtime.bus, SessionClose, (body) =>
    counted(
      'close',
      async () => ({ closed: (await sessions.remove(body.sessionId, { username: body.username, gateway: body.gateway })) !== null }),
      (reply) => (reply.closed ? 'closed' : 'unknown'),
    ),
  );

  return [admit, open, heartbeat, close];
}
