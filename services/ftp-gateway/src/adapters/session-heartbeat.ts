import type { Logger } from '@ferry/telemetry';
import type { Platform } from './platform.js';

export interface HeartbeatTarget {
  sessionIds(): string[];
  kick(sessionId: string, reason: string): boolean;
}

/**
 * One SessionHeartbeat per interval carries every live session id; sessions the
 * session service no longer knows (expired, kicked elsewhere) are closed.
 * `healthy()` says whether the last round trip worked (agent check: down).
 */
export function startSessionHeartbeat(platform: Platform, target: HeartbeatTarget, intervalMs: number, logger: Logger): { healthy(): boolean; stop(): void } {
  let healthy = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const beat = async () => {
    try {
      const { unknown } = await platform.heartbeat(target.sessionIds());
      healthy = true;
      for (const sessionId of unknown) if (target.kick(sessionId, 'session_unknown')) logger.warn({ sessionId }, 'session unknown to the session service: closed');
    } catch (error) {
      if (healthy) logger.warn({ err: error }, 'session heartbeat failed');
      healthy = false;
    }
  };
  const loop = () => {
    void beat().finally(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  timer = setTimeout(loop, intervalMs);
  return {
    healthy: () => healthy,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
