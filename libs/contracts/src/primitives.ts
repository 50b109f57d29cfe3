import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Building blocks shared by event and request schemas. Each carries a message that
 * says what is expected, because these messages reach operators verbatim.
 */

/** FTP user names: what vsftpd/ProFTPD users expect, plus '@' and '.' for e-mail style names. */
export const Username = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'expected 1-64 characters: letters, digits, ".", "_", "@", "-", starting with a letter or digit');
export type Username = z.infer<typeof Username>;

export const IpAddress = z.string().refine((value) => isIP(value) !== 0, 'expected an IPv4 or IPv6 address');

export const Cidr = z.string().refine(isCidr, 'expected a CIDR such as 10.0.0.0/8 or 2001:db8::/32');

function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (address === undefined || prefix === undefined || rest.length > 0 || !/^\d{1,3}$/.test(prefix)) return false;
  const family = isIP(address);
  const bits = Number(prefix);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}

/** Identifiers we mint (UUIDv7) or receive from peers: printable, no whitespace. */
export const Identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'expected an identifier of 1-128 letters, digits, "_", ".", ":", "-"');

/** A gateway's id; also a NATS subject token, so no dots. */
export const GatewayId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected a gateway id of lowercase letters, digits, "_", "-"');

/** A path inside a user's home, as the gateway resolved it: absolute, normalised, no NUL. */
export const HomePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0') && !p.split('/').some((part) => part === '..' || part === '.'), 'expected an absolute, normalised path without "." or ".." segments or NUL bytes');

export const IsoTime = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 timestamp such as 2026-01-31T12:00:00.000Z' });

export const NonNegativeInt = z.number().int().nonnegative();

/** Short machine-readable reason codes, so analysts can group by them. */
export const ReasonCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected a lowercase reason code such as bad_password');
