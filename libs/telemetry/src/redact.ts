import { stdSerializers } from 'pino';

/**
 * Keys whose values never reach a log line. `pass(?!ive)` because FTP logs are
 * full of passive-mode fields (`passive`, `passivePorts`) that are not secrets.
 */
export const SENSITIVE_KEY = /pass(?!ive)(?:word)?|secret|token|authorization|cookie|credential|(?:api|private)[_-]?key/i;

export const REDACTED = '[Redacted]';
const CIRCULAR = '[Circular]';

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * Returns `value` with every sensitive key replaced by "[Redacted]", at any
 * depth. Copy-on-write: the caller's object is never modified, and an object
 * with nothing to redact is returned as is (no allocation on the hot path).
 * Errors become pino's serialised form first, so their stack survives and their
 * own fields (an HTTP client error's request headers, say) are redacted too.
 */
export function redactSecrets(value: unknown): unknown {
  return redactValue(value, new Set());
}

function redactValue(value: unknown, ancestors: Set<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return redactValue(stdSerializers.errWithCause(value), ancestors);
  // A cycle back to an object being copied would let the stringifier print the
  // unredacted original, so cut it here.
  if (ancestors.has(value)) return CIRCULAR;
  // Dates, Buffers, URLs serialise through toJSON, not through their fields.
  if (hasToJson(value)) return value;
  ancestors.add(value);
  const redacted = Array.isArray(value) ? redactArray(value, ancestors) : redactObject(value, ancestors);
  ancestors.delete(value);
  return redacted;
}

function redactArray(items: readonly unknown[], ancestors: Set<object>): unknown[] {
  let copy: unknown[] | undefined;
  items.forEach((item, index) => {
    const redacted = redactValue(item, ancestors);
    if (redacted === item) return;
    copy ??= [...items];
    copy[index] = redacted;
  });
  return copy ?? (items as unknown[]);
}

function redactObject(source: object, ancestors: Set<object>): object {
  let copy: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(source)) {
    const redacted = SENSITIVE_KEY.test(key) && field !== undefined ? REDACTED : redactValue(field, ancestors);
    if (redacted === field) continue;
    copy ??= { ...source };
    copy[key] = redacted;
  }
  return copy ?? source;
}
