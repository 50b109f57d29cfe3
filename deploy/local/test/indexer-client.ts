import { readFile } from 'node:fs/promises';
import type { StackFile } from '../src/stack-file.js';

export interface IndexedTransfer {
  readonly path: string;
  readonly username: string;
  readonly gateway: string;
}

/** Completed uploads under a path prefix, as the storage-indexer's query API reports them. */
export async function completedUploads(stack: StackFile, pathPrefix: string, filter: { user?: string; gateway?: string } = {}): Promise<IndexedTransfer[]> {
  const { queryToken } = JSON.parse(await readFile(stack.secrets, 'utf8')) as { queryToken: string };
  const query = new URLSearchParams({ direction: 'upload', status: 'completed', pathPrefix, limit: '1000', ...filter });
  const response = await fetch(`${stack.services['storage-indexer']!.apiUrl!}/transfers?${query.toString()}`, { headers: { authorization: `Bearer ${queryToken}` } });
  if (!response.ok) throw new Error(`the indexer answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { items: IndexedTransfer[] }).items;
}
