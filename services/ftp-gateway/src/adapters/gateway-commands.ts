import { gatewayCommands, SessionKicked } from '@ferry/contracts';
import { serve, type Bus, type Responder } from '@ferry/bus';
import type { EventSink } from './events.js';
import type { FtpFrontend } from './ftp/frontend.js';

/** `ferry.cmd.gateway.<id>.kick` and `.drain`, answered by this gateway only. */
export function serveGatewayCommands(bus: Bus, gateway: string, frontend: FtpFrontend, events: EventSink): Responder[] {
  const commands = gatewayCommands(gateway);
  return [
    serve(bus, commands.kick, async ({ sessionId, by, reason }) => {
      const session = frontend.session(sessionId);
      const kicked = frontend.kick(sessionId, 'kicked');
      if (kicked && session?.user) {
        events.emit(SessionKicked, {
          sessionId,
          username: session.user.username,
          clientIp: session.clientIp,
          gateway,
          by,
          ...(reason === undefined ? {} : { reason }),
        });
      }
      return Promise.resolve({ kicked });
    }),
    serve(bus, commands.drain, ({ graceMs }) => {
      frontend.startDrain();
      // With a grace period, the sessions are closed once their transfers end or the grace runs out.
      if (graceMs !== undefined) void frontend.waitForTransfers(graceMs).then(() => frontend.closeSessions('drain'));
      return Promise.resolve({ draining: true as const });
    }),
  ];
}
