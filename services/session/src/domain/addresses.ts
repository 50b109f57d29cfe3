/**
 * What an address ban (and a "known address" of an account) applies to: an IPv4
 * address, or the /64 network of an IPv6 address, because one IPv6 host usually
 * holds a whole /64 and can change its address within it at will. IPv4-mapped
 * IPv6 addresses (`::ffff:203.0.113.7`, as a dual-stack socket reports them) are
 * their IPv4 address. The input is an address already validated as IPv4 or IPv6.
 */
export function banSubject(ip: string): string {
  const address = ip.split('%')[0]?.toLowerCase() ?? '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const groups = expandIpv6(address);
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad counts as two). */
function expandIpv6(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => 0);
  return [...left, ...zeros, ...right];
}

/** The admin API names an address ban by an IP (mapped to its subject) or by the subject as listed (`2001:db8:0:1::/64`). */
export function banSubjectOfListed(value: string, isIp: (candidate: string) => number): string | null {
  if (isIp(value) !== 0) return banSubject(value);
  const [address = '', prefix, ...rest] = value.split('/');
  if (prefix !== '64' || rest.length > 0 || isIp(address) !== 6) return null;
  return banSubject(address);
}
