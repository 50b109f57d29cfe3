import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort } from '@ferry/testing';
import { postWebhook } from '../src/adapters/webhook.js';

let server: Server;
let base: string;

beforeAll(async () => {
  const port = await getFreePort();
  base = `http://127.0.0.1:${port}`;
  server = createServer((req, res) => {
    const status = Number(req.url?.split('/')[1]);
    if (req.url === '/hang/SECRET') return; // never answers
    res.writeHead(status, status === 429 ? { 'retry-after': '3' } : {}).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('posting to a webhook', () => {
  it('classifies answers for the retry policy', async () => {
    expect(await postWebhook(`${base}/200/SECRET`, { text: 'x' }, 2_000)).toEqual({ kind: 'delivered', httpStatus: 200 });
    expect(await postWebhook(`${base}/503/SECRET`, {}, 2_000)).toEqual({ kind: 'transient', httpStatus: 503, error: 'receiver answered 503' });
    expect(await postWebhook(`${base}/429/SECRET`, {}, 2_000)).toEqual({ kind: 'transient', httpStatus: 429, error: 'receiver answered 429 Too Many Requests', retryAfterMs: 3_000 });
    expect(await postWebhook(`${base}/404/SECRET`, {}, 2_000)).toEqual({ kind: 'permanent', httpStatus: 404, error: 'receiver refused the message with 404' });
  });

  it('treats a timeout and a refused connection as transient, without the URL in the error', async () => {
    const timeout = await postWebhook(`${base}/hang/SECRET`, {}, 300);
    expect(timeout).toEqual({ kind: 'transient', error: 'no answer within 300ms' });
    const port = await getFreePort();
    const refused = await postWebhook(`http://127.0.0.1:${port}/hooks/SECRET`, {}, 2_000);
    expect(refused).toEqual({ kind: 'transient', error: 'could not reach the receiver (ECONNREFUSED)' });
    expect(JSON.stringify([timeout, refused])).not.toContain('SECRET');
  });
});
