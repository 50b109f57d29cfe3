import type { DeliveryResult } from '../domain/delivery.js';

/**
 * One POST of a message to an incoming webhook, classified for the retry policy.
 * Error texts name the failure (status, timeout, connection code), never the URL:
 * webhook URLs are secrets.
 */
export async function postWebhook(url: string, body: unknown, timeoutMs: number, now: () => number = Date.now): Promise<DeliveryResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
  } catch (error) {
    return { kind: 'transient', error: describeFetchError(error, timeoutMs) };
  }
  const status = response.status;
  if (status >= 200 && status < 300) return { kind: 'delivered', httpStatus: status };
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
    return { kind: 'transient', httpStatus: status, error: 'receiver answered 429 Too Many Requests', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status >= 500) return { kind: 'transient', httpStatus: status, error: `receiver answered ${status}` };
  return { kind: 'permanent', httpStatus: status, error: `receiver refused the message with ${status}` };
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs}ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : 'network error';
  return `could not reach the receiver (${code})`;
}
