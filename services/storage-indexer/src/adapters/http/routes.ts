import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listFiles, listLogins, listSessions, pathHistory } from '../other-queries.js';
import { topFiles, transferPercentiles, transferStats } from '../stats-queries.js';
import { getTransfer, iterateTransferCsv, iterateTransferJson, listTransfers } from '../transfer-queries.js';
import type { AppDeps } from './app.js';
import { NotFoundError } from './errors.js';
import { responses } from './responses.js';
import { exportStream } from './export.js';
import { ExportQuery, FilesQuery, HistoryQuery, LoginsQuery, parseQuery, PercentilesQuery, SessionsQuery, StatsQuery, TopFilesQuery, TransfersQuery } from './params.js';

/** The OpenAPI description of a query string, from the same zod schema that validates it. */
const doc = (summary: string, query: z.ZodType | undefined, response: Record<number, unknown>) => ({
  schema: { summary, response, ...(query === undefined ? {} : { querystring: z.toJSONSchema(query, { io: 'input', unrepresentable: 'any' }) }) },
});

const TransferId = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'expected a transfer id') });

export function registerRoutes(app: FastifyInstance, deps: AppDeps): void {
  registerTransferRoutes(app, deps);
  registerCatalogRoutes(app, deps);
  registerStatsRoutes(app, deps);
  app.get('/lag', doc('How far the projection is behind FERRY_ACTIVITY', undefined, responses.lag), () => deps.lag?.() ?? { events: null, secondsBehind: null });
}

function registerTransferRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/transfers', doc('Transfers, newest first by start time, filtered; cursor pagination', TransfersQuery, responses.transfers), (request) => {
    const { limit, cursor, order, ...filter } = parseQuery(TransfersQuery, request.query);
    return listTransfers(deps.db(), filter, { limit, cursor, order });
  });

  app.get('/transfers/export', doc('Every matching transfer as NDJSON (default) or CSV, streamed oldest first', ExportQuery, {}), (request, reply) => {
    const { format = 'ndjson', ...filter } = parseQuery(ExportQuery, request.query);
    const reader = deps.openReader();
    const rows = format === 'csv' ? iterateTransferCsv(reader, filter) : iterateTransferJson(reader, filter);
    const stream = exportStream(rows, format, () => reader.close());
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="transfers.${format}"`)
      .send(stream);
  });

  app.get('/transfers/:id', doc('One transfer by id', undefined, responses.transfer), (request) => {
    const { id } = parseQuery(TransferId, request.params);
    const transfer = getTransfer(deps.db(), id);
    if (transfer === undefined) throw new NotFoundError(`transfer ${id}`);
    return transfer;
  });

}

function registerCatalogRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/files', doc('The current file catalog, by user and path', FilesQuery, responses.files), (request) => listFiles(deps.db(), parseQuery(FilesQuery, request.query)));
  app.get('/files/history', doc('Every event that named a path, in stream order', HistoryQuery, responses.history), (request) => pathHistory(deps.db(), parseQuery(HistoryQuery, request.query)));
  app.get('/sessions', doc('Sessions, newest first', SessionsQuery, responses.sessions), (request) => listSessions(deps.db(), parseQuery(SessionsQuery, request.query)));
  app.get('/logins', doc('Login attempts (successes and failures), newest first', LoginsQuery, responses.logins), (request) => listLogins(deps.db(), parseQuery(LoginsQuery, request.query)));
}

function registerStatsRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/stats/transfers', doc('Counts, bytes and failure rate of ended transfers, optionally grouped', StatsQuery, responses.stats), (request) => {
    const { groupBy, ...filter } = parseQuery(StatsQuery, request.query);
    return { groupBy: groupBy ?? null, rows: transferStats(deps.db(), filter, groupBy) };
  });
  app.get('/stats/percentiles', doc('p50/p95/p99 of throughput (bytes/s) and duration (ms)', PercentilesQuery, responses.percentiles), (request) => transferPercentiles(deps.db(), parseQuery(PercentilesQuery, request.query)));
  app.get('/stats/top-files', doc('The most transferred files', TopFilesQuery, responses.topFiles), (request) => {
    const { limit = 10, by = 'transfers', ...filter } = parseQuery(TopFilesQuery, request.query);
    return { by, files: topFiles(deps.db(), filter, by, limit) };
  });
}
