import { userInfo } from 'node:os';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';
import type { Target } from './locate.js';

/** The admin API's error body: `{ error: { code, message, field? } }`. */
interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly field?: string;
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly ifVersion?: number | undefined;
}

const TIMEOUT_MS = 15_000;

/** Maps API fields back to the options that set them, so errors name what the user typed. */
const OPTION_OF_FIELD: Record<string, string> = {
  maxSessions: '--max-sessions',
  allowedCidrs: '--allow-cidr',
  home: '--home',
  permissions: '--perm',
  quotaBytes: '--quota-bytes',
  quotaFiles: '--quota-files',
  password: 'the password',
  reason: '--reason',
  events: '--events',
  username: 'the user name',
  'If-Match': '--if-version',
};

/** Calls the auth admin API and turns every failure into a CliError that says what to do. */
export async function callApi<T>(io: CliIo, target: Target, request: ApiRequest): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${target.token}`, 'x-ferry-actor': `cli:${safeUser()}` };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.ifVersion !== undefined) headers['if-match'] = `"${request.ifVersion}"`;
  const url = `${target.apiUrl}${request.path}`;
  let response: Response;
  try {
    response = await io.fetch(url, {
      method: request.method,
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
  } catch (error) {
    throw new CliError(
      `cannot reach the auth admin API at ${target.apiUrl} (from ${target.apiSource}): ${reasonOf(error)}. Is the stack running (npm start)? Otherwise pass --api or set FERRY_API_URL`,
    );
  }
  const text = await response.text();
  const json = parseJson(text);
  if (response.ok) return json as T;
  throw errorFor(response.status, errorBody(json), target);
}

function errorFor(status: number, error: ApiError | undefined, target: Target): CliError {
  if (status === 401) return new CliError(`the admin token was refused by ${target.apiUrl}: the token from ${target.tokenSource} is wrong (it must equal the service's FERRY_ADMIN_TOKEN)`);
  if (error === undefined) return new CliError(`the auth admin API at ${target.apiUrl} answered ${status} without an explanation`);
  if (status === 400 && error.field !== undefined) {
    const option = OPTION_OF_FIELD[error.field.split('.')[0] ?? ''];
    return new CliError(`invalid ${error.field}${option === undefined ? '' : ` (${option})`}: ${stripField(error.message, error.field)}`);
  }
  if (status === 503) return new CliError(`${error.message} (${error.code})`);
  if (status >= 500) return new CliError(`the auth service failed (${status} ${error.code}); see its log`);
  return new CliError(error.message);
}

function stripField(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

function errorBody(json: unknown): ApiError | undefined {
  if (typeof json !== 'object' || json === null || !('error' in json)) return undefined;
  const error = json.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, field } = error as Record<string, unknown>;
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  return { code, message, ...(typeof field === 'string' ? { field } : {}) };
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'unknown host';
  if ((error as Error).name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  return cause?.message ?? (error as Error).message;
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^\w.@-]/g, '_').slice(0, 64) || 'unknown';
  } catch {
    return 'unknown';
  }
}
