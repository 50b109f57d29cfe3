import { isIP } from 'node:net';
import { GatewayId, Identifier, Username } from '@ferry/contracts';
import { banSubjectOfListed } from '../domain/addresses.js';
import { z } from 'zod';

/** Admin API inputs: validated here, answered 400 naming the field when bad. */
export const SessionsQuery = z.strictObject({
  username: Username.optional(),
  gateway: GatewayId.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

export const SessionParams = z.object({ sessionId: Identifier });

export const KickBody = z.strictObject({ reason: z.string().min(1).max(512).optional() }).default({});

/** An IP address (its ban subject is looked up) or an IPv6 /64 as GET /bans lists it. */
export const AddressParams = z.object({
  address: z
    .string()
    .max(64)
    .transform((value, ctx) => {
      const subject = banSubjectOfListed(value, isIP);
      if (subject === null) ctx.addIssue({ code: 'custom', message: 'expected an IP address, or an IPv6 /64 as listed by GET /bans' });
      return subject ?? '';
    }),
});

export const AccountParams = z.object({ username: z.string().min(1).max(256) });

const ErrorReply = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

/** The OpenAPI view of a zod schema (documentation only: validation is done with zod in the handlers). */
export function openApi(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return jsonSchema;
}

export const errorReplySchema = openApi(ErrorReply);
