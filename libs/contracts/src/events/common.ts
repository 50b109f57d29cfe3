import { z } from 'zod';
import { GatewayId, Identifier, IpAddress, Username } from '../primitives.js';

/** Who did something, from where, through which gateway: carried by every activity event. */
export const SessionRef = z.object({
  sessionId: Identifier,
  username: Username,
  clientIp: IpAddress,
  gateway: GatewayId,
});
export type SessionRef = z.infer<typeof SessionRef>;

export const Permissions = z.object({
  read: z.boolean(),
  write: z.boolean(),
  delete: z.boolean(),
  mkdir: z.boolean(),
  rename: z.boolean(),
});
export type Permissions = z.infer<typeof Permissions>;

export const Protocol = z.enum(['ftp', 'ftps']);
export type Protocol = z.infer<typeof Protocol>;
