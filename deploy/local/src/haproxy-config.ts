import { join } from 'node:path';
import { parseGatewayList, renderHaproxyConfig } from '@ferry/haproxy-config';
import type { GatewayPorts } from './service-env.js';

export interface LocalHaproxyPorts {
  readonly ftpPort: number;
  readonly statsPort: number;
}

/** The gateway list line of deploy/haproxy for one local gateway. */
export const gatewayListLine = (g: GatewayPorts) => `${g.id} ${g.address ?? '127.0.0.1'} ${g.ftpPort} ${g.passive[0]}-${g.passive[1]} ${g.agentPort}`;

/**
 * HAProxy's configuration for the local stack: everything on 127.0.0.1, the admin
 * socket in the data dir. Adding a gateway to a running stack is rendering this
 * again with one more gateway and reloading HAProxy (SIGUSR2 to its master).
 */
export function localHaproxyConfig(gateways: readonly GatewayPorts[], ports: LocalHaproxyPorts, dataDir: string): string {
  return renderHaproxyConfig(parseGatewayList(gateways.map(gatewayListLine).join('\n')), {
    bindAddress: '127.0.0.1',
    ftpPort: ports.ftpPort,
    statsBind: '127.0.0.1',
    statsPort: ports.statsPort,
    adminSocket: join(dataDir, 'haproxy.sock'),
    ftpIdleTimeoutS: 300,
    tunnelTimeoutS: 86_400,
  });
}
