import { z } from 'zod';
import { cidrRange } from '../../domain/ip.js';
import { QueryParamError } from './errors.js';

/** Query-string schemas. Every parameter is a string on the wire; unknown parameters are refused. */

const time = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 timestamp such as 2026-01-31T12:00:00Z' }).transform((value) => Date.parse(value));
const count = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,15}$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`));
const name = z.string().min(1, 'expected a non-empty value').max(256, 'expected at most 256 characters');
const pathPrefix = z.string().startsWith('/', 'expected an absolute path prefix starting with "/"').max(4096);
const client = z
  .string()
  .refine((value) => cidrRange(value) !== undefined, 'expected an IPv4/IPv6 address or a CIDR such as 10.0.0.0/8')
  .transform((value) => cidrRange(value) as { first: string; last: string });
const cursor = z.string().regex(/^[A-Za-z0-9_-]{1,512}$/, 'expected a cursor returned as nextCursor by a previous page');

export const pageParams = {
  limit: count(1, 1_000).optional(),
  cursor: cursor.optional(),
  order: z.enum(['asc', 'desc'], 'expected "asc" or "desc"').optional(),
};

export const transferFilterParams = {
  user: name.optional(),
  from: time.optional(),
  to: time.optional(),
  direction: z.enum(['upload', 'download'], 'expected "upload" or "download"').optional(),
  status: z.enum(['started', 'completed', 'failed', 'aborted'], 'expected one of started, completed, failed, aborted').optional(),
  pathPrefix: pathPrefix.optional(),
  gateway: name.optional(),
  client: client.optional(),
  minBytes: count(0, Number.MAX_SAFE_INTEGER).optional(),
  maxBytes: count(0, Number.MAX_SAFE_INTEGER).optional(),
};

export const TransfersQuery = z.strictObject({ ...transferFilterParams, ...pageParams });
export type TransferFilter = z.output<z.ZodObject<typeof transferFilterParams>>;

export const ExportQuery = z.strictObject({ ...transferFilterParams, format: z.enum(['ndjson', 'csv'], 'expected "ndjson" or "csv"').optional() });

export const GROUP_BY = ['user', 'day', 'hour', 'gateway', 'direction', 'status'] as const;
export const StatsQuery = z.strictObject({ ...transferFilterParams, groupBy: z.enum(GROUP_BY, `expected one of ${GROUP_BY.join(', ')}`).optional() });
export const TopFilesQuery = z.strictObject({ ...transferFilterParams, limit: count(1, 1_000).optional(), by: z.enum(['transfers', 'bytes'], 'expected "transfers" or "bytes"').optional() });
export const PercentilesQuery = z.strictObject({ ...transferFilterParams });

export const FilesQuery = z.strictObject({ prefix: pathPrefix.optional(), user: name.optional(), ...pageParams });
export const HistoryQuery = z.strictObject({ path: pathPrefix, user: name.optional(), ...pageParams });
export const SessionsQuery = z.strictObject({
  user: name.optional(),
  from: time.optional(),
  to: time.optional(),
  status: z.enum(['open', 'closed', 'expired', 'kicked', 'refused'], 'expected one of open, closed, expired, kicked, refused').optional(),
  gateway: name.optional(),
  client: client.optional(),
  ...pageParams,
});
export const LoginsQuery = z.strictObject({
  user: name.optional(),
  from: time.optional(),
  to: time.optional(),
  outcome: z.enum(['succeeded', 'failed'], 'expected "succeeded" or "failed"').optional(),
  gateway: name.optional(),
  client: client.optional(),
  ...pageParams,
});

/** Parses a query string with `schema`; the first problem becomes a 400 naming the parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '?';
    throw new QueryParamError(key, `${key}: unknown query parameter`);
  }
  const field = issue?.path.map(String).join('.') || '(query)';
  const raw = typeof query === 'object' && query !== null ? (query as Record<string, unknown>)[field] : undefined;
  const message = raw === undefined ? 'is required' : Array.isArray(raw) ? 'expected a single value' : (issue?.message ?? 'invalid');
  throw new QueryParamError(field, `${field}: ${message}`);
}
