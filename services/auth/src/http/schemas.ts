import { Actor, FerryError, UserProfile, Username } from '@ferry/contracts';
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../domain/password-policy.js';

/** Request and response shapes of the admin API; the OpenAPI document is generated from them. */

const Password = z.string().max(PASSWORD_MAX_LENGTH).describe('the new password (omit it, or send generatePassword: true, to have one generated and returned once)');
const GeneratePassword = z.boolean().describe('generate a random password and return it once in the response');
const ProfileFields = UserProfile.partial().shape;

export const CreateUserBody = z.strictObject({ username: Username, password: Password.optional(), generatePassword: GeneratePassword.optional(), ...ProfileFields });
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const SetPasswordBody = z.strictObject({ password: Password.optional(), generatePassword: GeneratePassword.optional() });

export const ChangeProfileBody = z.strictObject(ProfileFields);

export const DisableBody = z.strictObject({ reason: z.string().max(512).optional().describe('why, for the audit trail') });

export const UserParams = z.strictObject({ username: Username });

export const ShowQuery = z.strictObject({
  events: z.coerce.number().int().min(0).max(1000).default(20).describe('how many of the latest events to return (0-1000, default 20)'),
});

export const UserViewSchema = z.object({
  username: z.string(),
  status: z.enum(['active', 'disabled', 'deleted']),
  version: z.number().int().describe('stream sequence of the last event of this user; send it back in If-Match to detect concurrent changes'),
  profile: UserProfile.optional(),
  disabledReason: z.string().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  deletedAt: z.string().optional(),
});

export const AuditEntrySchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  type: z.string(),
  time: z.string(),
  source: z.string(),
  by: z.string(),
  data: z.record(z.string(), z.unknown()).describe('the event data without the password hash'),
});

export const WriteResultSchema = z.object({
  username: z.string(),
  version: z.number().int(),
  changed: z.boolean().describe('false when the command changed nothing (disabling a disabled user)'),
  generatedPassword: z.string().optional().describe('present only when the password was generated: shown once, never again'),
});

export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

/** A request that does not match its schema; `field` names the first bad field. */
export class InvalidRequestError extends FerryError {
  override readonly name = 'InvalidRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('INVALID_REQUEST', message);
  }
}

/** Parses a part of a request (body, params, query, a header) or throws InvalidRequestError naming the field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  if (issue?.code === 'unrecognized_keys') {
    const field = [path, issue.keys[0]].filter(Boolean).join('.');
    throw new InvalidRequestError(field, `${field}: unknown field`);
  }
  const field = path === '' ? '(body)' : path;
  throw new InvalidRequestError(field, `${field}: ${issue?.message ?? 'invalid'}`);
}

/** `If-Match: "12"` (or `12`): the version the admin based the change on. */
export function expectedVersionOf(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(Array.isArray(header) ? (header[0] ?? '') : header);
  if (match === null) throw new InvalidRequestError('If-Match', 'If-Match: expected a user version such as "12" (from GET /v1/users/<name>)');
  return Number(match[1]);
}

/** `X-Ferry-Actor: cli:alice`: who made the change, for the audit trail. */
export function actorOf(header: string | string[] | undefined): string {
  if (header === undefined) return 'api';
  const parsed = Actor.safeParse(Array.isArray(header) ? header[0] : header);
  if (!parsed.success) throw new InvalidRequestError('X-Ferry-Actor', 'X-Ferry-Actor: expected 1-128 characters naming who makes the change');
  return `api:${parsed.data}`.slice(0, 128);
}
