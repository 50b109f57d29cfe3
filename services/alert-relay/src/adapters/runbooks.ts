import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const PAGE = /^[A-Za-z0-9_-]{1,128}\.md$/;

/** GET /runbooks/<Name>.md: the runbook pages, so chat links work without another web server. */
export function registerRunbookRoute(app: FastifyInstance, dir: string): void {
  app.get('/runbooks/:page', async (request, reply) => {
    const { page } = request.params as { page?: string };
    if (page === undefined || !PAGE.test(page)) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such runbook' } });
    try {
      const text = await readFile(join(dir, page), 'utf8');
      return reply.type('text/markdown; charset=utf-8').send(text);
    } catch {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such runbook' } });
    }
  });
}
