import { z } from 'zod';

/** Response shapes, for the OpenAPI document only (serialisation is plain JSON.stringify). */

const time = z.string().describe('ISO-8601 time');
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();

const Transfer = z.object({
  transferId: z.string(),
  sessionId: z.string(),
  username: z.string(),
  clientIp: z.string(),
  gateway: z.string(),
  protocol: z.enum(['ftp', 'ftps']),
  mode: z.enum(['passive', 'active']),
  direction: z.enum(['upload', 'download']),
  path: z.string(),
  offset: z.number().describe('REST offset'),
  startedAt: time,
  status: z.enum(['started', 'completed', 'failed', 'aborted']),
  bytes: nullable(z.number()),
  durationMs: nullable(z.number()),
  endedAt: nullable(time),
  partial: nullable(z.boolean()),
  errorCode: nullable(z.string()),
  errorMessage: nullable(z.string()),
  fileSize: nullable(z.number()),
  lastEventId: z.string(),
});

const FileEntry = z.object({
  username: z.string(),
  path: z.string(),
  kind: z.enum(['file', 'dir']),
  size: nullable(z.number()),
  modifiedAt: time,
  lastUploader: nullable(z.string()),
  lastTransferId: nullable(z.string()),
  lastEventId: z.string(),
});

const PathEvent = z.object({ streamSequence: z.number(), eventId: z.string(), type: z.string(), at: time, username: z.string(), path: z.string(), detail: z.record(z.string(), z.unknown()) });

const Session = z.object({
  sessionId: z.string(),
  username: nullable(z.string()),
  clientIp: z.string(),
  gateway: z.string(),
  protocol: nullable(z.enum(['ftp', 'ftps'])),
  status: z.enum(['open', 'closed', 'expired', 'kicked', 'refused']),
  openedAt: nullable(time),
  endedAt: nullable(time),
  durationMs: nullable(z.number()),
  reason: nullable(z.string()),
  kickedBy: nullable(z.string()),
  lastEventId: z.string(),
});

const Login = z.object({
  eventId: z.string(),
  at: time,
  username: z.string(),
  clientIp: z.string(),
  gateway: z.string(),
  sessionId: z.string(),
  outcome: z.enum(['succeeded', 'failed']),
  reason: nullable(z.string()),
  cached: nullable(z.boolean()),
});

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: nullable(z.string()).describe('pass as cursor for the next page; null on the last') });
const Percentiles = z.object({ count: z.number(), p50: nullable(z.number()), p95: nullable(z.number()), p99: nullable(z.number()) });
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { unrepresentable: 'any' });
const withErrors = (ok: z.ZodType) => ({ 200: json(ok), 400: json(ErrorBody), 401: json(ErrorBody) });

export const responses = {
  transfers: withErrors(page(Transfer)),
  transfer: { ...withErrors(Transfer), 404: json(ErrorBody) },
  files: withErrors(page(FileEntry)),
  history: withErrors(page(PathEvent)),
  sessions: withErrors(page(Session)),
  logins: withErrors(page(Login)),
  stats: withErrors(
    z.object({
      groupBy: nullable(z.string()),
      rows: z.array(z.object({ key: nullable(z.string()), transfers: z.number(), bytes: z.number(), completed: z.number(), failed: z.number(), aborted: z.number(), failureRate: nullable(z.number()), durationMs: z.number() })),
    }),
  ),
  percentiles: withErrors(z.object({ throughputBytesPerS: Percentiles, durationMs: Percentiles })),
  topFiles: withErrors(z.object({ by: z.enum(['transfers', 'bytes']), files: z.array(z.object({ username: z.string(), path: z.string(), transfers: z.number(), bytes: z.number() })) })),
  lag: { 200: json(z.object({ events: nullable(z.number()), secondsBehind: nullable(z.number()) })), 401: json(ErrorBody) },
} as const;
