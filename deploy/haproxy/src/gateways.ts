import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * One line per gateway, so adding a gateway is one line of input:
 *
 *   # id   address    control-port  passive-range  agent-port
 *   gw-1   10.0.0.11  2121          30000-30099    9301
 */
export interface GatewayEntry {
  readonly id: string;
  readonly address: string;
  readonly controlPort: number;
  readonly passiveFrom: number;
  readonly passiveTo: number;
  readonly agentPort: number;
}

export class GatewayListError extends Error {
  readonly code = 'HAPROXY_GATEWAY_LIST_INVALID';
  override readonly name = 'GatewayListError';
}

const Port = z.coerce.number().int().min(1).max(65_535);
const Line = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a gateway id of lowercase letters, digits, "_", "-"'),
  address: z.string().refine((a) => isIP(a) !== 0 || /^[a-z0-9][a-z0-9.-]*$/i.test(a), 'an IP address or a host name'),
  controlPort: Port,
  passive: z.string().regex(/^\d+-\d+$/, 'a port range such as 30000-30099'),
  agentPort: Port,
});

export function parseGatewayList(text: string): GatewayEntry[] {
  const entries: Array<GatewayEntry & { line: number }> = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [id, address, controlPort, passive, agentPort, ...extra] = line.split(/\s+/);
    const where = `line ${index + 1}`;
    if (extra.length > 0 || agentPort === undefined) throw new GatewayListError(`${where}: expected 5 fields "id address control-port passive-range agent-port", got "${line}"`);
    const parsed = Line.safeParse({ id, address, controlPort, passive, agentPort });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new GatewayListError(`${where}: ${String(issue.path[0])} must be ${issue.message}`);
    }
    const [from, to] = parsed.data.passive.split('-').map(Number) as [number, number];
    if (!(from >= 1024 && to <= 65_535 && from <= to)) throw new GatewayListError(`${where}: passive range ${parsed.data.passive} must be within 1024-65535, low-high`);
    entries.push({ id: parsed.data.id, address: parsed.data.address, controlPort: parsed.data.controlPort, passiveFrom: from, passiveTo: to, agentPort: parsed.data.agentPort, line: index + 1 });
  });
  if (entries.length === 0) throw new GatewayListError('the gateway list is empty: add one line per gateway');
  checkDistinct(entries);
  return entries.map(({ line: _line, ...entry }) => entry);
}

function checkDistinct(entries: ReadonlyArray<GatewayEntry & { line: number }>): void {
  for (const [i, a] of entries.entries()) {
    for (const b of entries.slice(i + 1)) {
      if (a.id === b.id) throw new GatewayListError(`line ${b.line}: gateway id ${b.id} is already used on line ${a.line}`);
      if (a.passiveFrom <= b.passiveTo && b.passiveFrom <= a.passiveTo) {
        throw new GatewayListError(`line ${b.line}: passive range ${b.passiveFrom}-${b.passiveTo} overlaps ${a.id}'s ${a.passiveFrom}-${a.passiveTo} (line ${a.line}): each gateway needs its own range`);
      }
    }
  }
}
