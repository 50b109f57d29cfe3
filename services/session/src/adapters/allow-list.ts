import { isIP, type BlockList } from 'node:net';
import { banSubject } from '../domain/addresses.js';

/** True when the address is in the allow-list; an IPv4-mapped IPv6 address is checked as its IPv4 address. */
export function isAllowListed(allowList: BlockList, clientIp: string): boolean {
  const subject = banSubject(clientIp);
  if (isIP(subject) === 4) return allowList.check(subject, 'ipv4');
  return allowList.check(clientIp.split('%')[0] ?? clientIp, 'ipv6');
}
