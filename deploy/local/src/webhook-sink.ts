import { createServer, type Server } from 'node:http';

/** What a Mattermost-style incoming webhook receives (the fields the sink prints). */
interface WebhookMessage {
  text?: string;
  attachments?: Array<{ title?: string; text?: string; fields?: Array<{ title?: string; value?: string }> }>;
}

/**
 * Stands in for the chat locally: accepts Mattermost-style webhook posts and
 * prints each one, so alerts are visible in the terminal running the stack.
 */
export async function startWebhookSink(port: number, print: (line: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405).end();
      return;
    }
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      if (body.length < 1_000_000) body += chunk;
    });
    request.on('end', () => {
      try {
        const message = JSON.parse(body) as WebhookMessage;
        const titles = (message.attachments ?? []).map((a) => a.title).filter(Boolean);
        print(`🔔 ${[message.text, ...titles].filter(Boolean).join(' — ').replace(/\s+/g, ' ').slice(0, 400)}`);
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } catch {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('expected a JSON body');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${port}/hooks/ferry`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
