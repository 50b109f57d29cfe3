/**
 * Client addresses as sortable keys, so that a CIDR filter is one range query:
 * every address becomes 32 hex digits (IPv4 as the IPv4-mapped IPv6 ::ffff:a.b.c.d).
 */

function ipv4Words(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return undefined;
  const [a, b, c, d] = parts.map(Number) as [number, number, number, number];
  return [(a << 8) | b, (c << 8) | d];
}

function ipv6Words(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (side: string): number[] | undefined => {
    if (side === '') return [];
    const words: number[] = [];
    const groups = side.split(':');
    for (const [i, group] of groups.entries()) {
      if (i === groups.length - 1 && group.includes('.')) {
        const v4 = ipv4Words(group);
        if (v4 === undefined) return undefined;
        words.push(...v4);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) words.push(parseInt(group, 16));
      else return undefined;
    }
    return words;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}

/** 8 × 16-bit words of an address, or undefined when it is not an IPv4/IPv6 address. */
export function addressWords(text: string): number[] | undefined {
  const v4 = ipv4Words(text);
  if (v4 !== undefined) return [0, 0, 0, 0, 0, 0xffff, ...v4];
  return ipv6Words(text.replace(/%.*$/, ''));
}

const hex = (words: readonly number[]) => words.map((word) => word.toString(16).padStart(4, '0')).join('');

/** The sortable key of an address; undefined for text that is not an address. */
export function addressKey(text: string): string | undefined {
  const words = addressWords(text);
  return words === undefined ? undefined : hex(words);
}

/** The [first, last] keys of a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or of a bare address. */
export function cidrRange(cidr: string): { first: string; last: string } | undefined {
  const [address, prefixText, ...rest] = cidr.split('/');
  if (address === undefined || rest.length > 0) return undefined;
  const words = addressWords(address);
  if (words === undefined) return undefined;
  const isV4 = ipv4Words(address) !== undefined;
  const maxBits = isV4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const bits = prefixText === undefined ? maxBits : Number(prefixText);
  if (bits > maxBits) return undefined;
  const keep = bits + (isV4 ? 96 : 0);
  const first: number[] = [];
  const last: number[] = [];
  for (let i = 0; i < 8; i++) {
    const wordBits = Math.max(0, Math.min(16, keep - i * 16));
    const mask = wordBits === 0 ? 0 : (0xffff << (16 - wordBits)) & 0xffff;
    first.push((words[i] ?? 0) & mask);
    last.push(((words[i] ?? 0) & mask) | (~mask & 0xffff));
  }
  return { first: hex(first), last: hex(last) };
}
