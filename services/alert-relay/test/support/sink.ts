import { createServer, type IncomingMessage, type Server } from 'node:http';
import { getFreePort } from '@ferry/testing';
import type { MattermostMessage } from '../../src/domain/message.js';

export interface SinkRequest {
  readonly path: string;
  /** What the relay posted: a Mattermost incoming-webhook message. */
  readonly body: MattermostMessage;
  readonly at: number;
  status?: number;
}

export type SinkReply = { status: number; headers?: Record<string, string> };

/** A real HTTP webhook receiver: records every POST and answers what `reply` says (200 by default). */
export class WebhookSink {
  readonly requests: SinkRequest[] = [];
  reply: (request: SinkRequest) => SinkReply = () => ({ status: 200 });
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<WebhookSink> {
    const port = await getFreePort();
    const holder: { sink?: WebhookSink } = {};
    const server = createServer((req, res) => {
      void readBody(req).then((text) => {
        const sink = holder.sink!;
        const request: SinkRequest = { path: req.url ?? '/', body: JSON.parse(text || '{}') as MattermostMessage, at: Date.now() };
        sink.requests.push(request);
        const { status, headers } = sink.reply(request);
        request.status = status;
        res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(status < 300 ? 'ok' : 'no');
      });
    });
    const sink = new WebhookSink(server, port);
    holder.sink = sink;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return sink;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests to one path (one receiver). */
  on(path: string): SinkRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Requests to one path that were answered 2xx: what actually reached the chat. */
  delivered(path: string): SinkRequest[] {
    return this.on(path).filter((r) => (r.status ?? 0) < 300);
  }

  clear(): void {
    this.requests.length = 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
