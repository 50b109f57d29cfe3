import { commonServiceEnv, envDuration, envInt, envPort, envSecret } from '@ferry/config';
import { z } from 'zod';

export const IndexerEnv = z
  .object({
    ...commonServiceEnv,
    FERRY_API_HOST: z.string().trim().min(1).describe('the address the query API binds').prefault('127.0.0.1'),
    FERRY_API_PORT: envPort({ allowZero: true }),
    FERRY_QUERY_TOKEN: envSecret({ minLength: 32 }),
    /** Only read to refuse a query token equal to it: the query API never accepts the admin token. */
    FERRY_ADMIN_TOKEN: envSecret({ minLength: 32 }).optional(),
    FERRY_STATE_DIR: z.string().trim().min(1).describe('a folder for the projection database files'),
    FERRY_INDEXER_DURABLE: z.string().trim().regex(/^[A-Za-z0-9_-]+$/).describe('a durable consumer name (letters, digits, "_", "-")').prefault('storage-indexer'),
    FERRY_INDEXER_BATCH: envInt({ min: 1, max: 10_000 }).prefault('2000'),
    FERRY_INDEXER_ACK_WAIT: envDuration({ minMs: 1_000 }).prefault('30s'),
    FERRY_INDEXER_MAX_LAG: envDuration({ minMs: 1_000 }).prefault('5m'),
    FERRY_INDEXER_LAG_INTERVAL: envDuration({ minMs: 100 }).prefault('1s'),
  })
  .refine((env) => env.FERRY_ADMIN_TOKEN === undefined || env.FERRY_ADMIN_TOKEN !== env.FERRY_QUERY_TOKEN, {
    path: ['FERRY_QUERY_TOKEN'],
    message: 'must differ from FERRY_ADMIN_TOKEN (analysts must not hold the admin token)',
  });
export type IndexerConfig = z.output<typeof IndexerEnv>;
