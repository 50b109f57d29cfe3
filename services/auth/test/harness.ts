import { EventEmitter } from 'node:events';
import { connectBus, type Bus } from '@ferry/bus';
import { runService, type RunningService } from '@ferry/service';
import { getFreePort } from '@ferry/testing';
import { authService } from '../src/service.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';

export interface AuthUnderTest {
  readonly apiUrl: string;
  readonly opsUrl: string;
  readonly running: RunningService;
  readonly exits: number[];
  /** A request to the admin API with the right token (unless `token` says otherwise). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked by the assertions
  api(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** Runs the real auth service in this process (runService, as main.ts does) against a real NATS. */
export async function startAuth(natsUrl: string, env: Record<string, string> = {}): Promise<AuthUnderTest> {
  const apiPort = await getFreePort();
  const exits: number[] = [];
  const running = await runService(authService, {
    env: {
      NATS_URL: natsUrl,
      FERRY_API_PORT: String(apiPort),
      FERRY_ADMIN_TOKEN: ADMIN_TOKEN,
      AUTH_SCRYPT_LOG_N: '4',
      AUTH_SCRYPT_P: '1',
      LOG_LEVEL: 'silent',
      FERRY_HEARTBEAT_INTERVAL: '1h',
      ...env,
    },
    signals: new EventEmitter(),
    exit: (code) => exits.push(code),
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  return {
    apiUrl,
    opsUrl: running.opsUrl,
    running,
    exits,
    api: async (method, path, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== null) headers.authorization = `Bearer ${options.token ?? ADMIN_TOKEN}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${apiUrl}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }) });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
    },
    stop: () => running.shutdown('test'),
  };
}

export function testBus(natsUrl: string): Promise<Bus> {
  return connectBus({ servers: [natsUrl], name: 'auth-test' });
}

/** The user names of a `users` array in an API answer. */
export const namesOf = (users: unknown): string[] => (users as Array<{ username: string }>).map((user) => user.username);

/** The event types of an `events` array in an API answer. */
export const typesOf = (events: unknown): string[] => (events as Array<{ type: string }>).map((event) => event.type);
