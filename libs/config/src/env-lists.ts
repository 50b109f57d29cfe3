import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { accept, fromEnvString, parseInteger, reject, type Parsed } from './parse-string.js';

export interface UrlOptions {
  /** Accepted schemes with their colon, as `URL.protocol` spells them: `nats:`, `https:`. */
  readonly protocols: readonly string[];
}

/** An absolute URL with a host and one of the given schemes; returned as the trimmed string. */
export function envUrl({ protocols }: UrlOptions) {
  const schemes = protocols.map((protocol) => `${protocol}//`).join(', ');
  return fromEnvString(`a URL starting with ${schemes}`, (raw): Parsed<string> => {
    if (!URL.canParse(raw)) return reject('is not a URL');
    const url = new URL(raw);
    if (!protocols.includes(url.protocol)) return reject(`must use ${schemes}`);
    if (url.host === '') return reject('has no host');
    return accept(raw);
  });
}

export interface CsvOptions {
  /** Fewest items accepted after empties are dropped; 0 by default. */
  readonly minItems?: number;
}

/** A comma-separated list: items trimmed, empty items dropped, each parsed by `item`. */
export function envCsv<Item extends z.ZodType<unknown, string>>(item: Item, { minItems = 0 }: CsvOptions = {}) {
  const itemText = item.description ?? 'an item';
  return z
    .string()
    .transform((raw) =>
      raw
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(z.array(item).min(minItems, { error: `needs at least ${minItems} item(s)` }))
    .describe(`a comma-separated list, each ${itemText}`);
}

function parseCidr(raw: string): Parsed<string> {
  const [address = '', prefixText, ...extra] = raw.split('/');
  const family = isIP(address);
  if (family === 0 || extra.length > 0) return reject('is not an IPv4 or IPv6 address or CIDR');
  const maxPrefix = family === 4 ? 32 : 128;
  // A bare address means that one host, so ban lists can name single IPs.
  const prefix = prefixText === undefined ? accept(maxPrefix) : parseInteger(prefixText, 0, maxPrefix);
  if (!prefix.ok) return reject(`has a bad prefix length: ${prefix.problem}`);
  try {
    new BlockList().addSubnet(address, prefix.value, family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return reject('is not a valid CIDR');
  }
  return accept(`${address}/${prefix.value}`);
}

/** One CIDR such as `10.0.0.0/8` or `2001:db8::/32`; a bare address becomes /32 or /128. */
export function envCidr() {
  return fromEnvString('an IPv4 or IPv6 CIDR such as 10.0.0.0/8 or 2001:db8::/32', parseCidr);
}

/** A comma-separated list of CIDRs, normalised to `address/prefix` strings. */
export function envCidrList() {
  return envCsv(envCidr());
}

/** A `net.BlockList` for membership checks (`check(ip, 'ipv4' | 'ipv6')`) over CIDRs from `envCidrList`. */
export function cidrBlockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}
