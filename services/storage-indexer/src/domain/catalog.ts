import type { FsEvent, TransferEvent } from '@ferry/contracts';
import type { AnomalyKind } from './anomalies.js';

/** A file or folder as it exists now, in one user's home. */
export interface CatalogEntry {
  readonly username: string;
  readonly path: string;
  readonly kind: 'file' | 'dir';
  /** Bytes; null when unknown (a folder, or a file only known from a rename). */
  readonly size: number | null;
  readonly modifiedAt: string;
  readonly lastUploader: string | null;
  readonly lastTransferId: string | null;
  readonly lastEventId: string;
}

/** Read access to the current catalog, synchronous so that stores can answer inside a transaction. */
export interface CatalogView {
  get(username: string, path: string): CatalogEntry | undefined;
}

/** What to change; `removeTree`/`moveTree` act on the path and everything below it. */
export type CatalogOp =
  | { readonly op: 'put'; readonly entry: CatalogEntry }
  | { readonly op: 'removeTree'; readonly username: string; readonly path: string }
  | { readonly op: 'moveTree'; readonly username: string; readonly from: string; readonly to: string };

export interface CatalogPlan {
  readonly ops: readonly CatalogOp[];
  readonly anomalies: readonly AnomalyKind[];
}

type CatalogEvent = FsEvent | TransferEvent;
const NOTHING: CatalogPlan = { ops: [], anomalies: [] };

export function parentsOf(path: string): string[] {
  const parts = path.split('/').filter((part) => part !== '');
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

export function isSameOrBelow(path: string, root: string): boolean {
  return path === root || path.startsWith(root === '/' ? '/' : `${root}/`);
}

/** Folders that must exist for `path` but are not in the catalog: added, and counted once. */
function ensureParents(view: CatalogView, username: string, path: string, at: string, eventId: string): CatalogPlan {
  const missing = parentsOf(path).filter((dir) => view.get(username, dir) === undefined);
  const ops = missing.map((dir): CatalogOp => ({ op: 'put', entry: { username, path: dir, kind: 'dir', size: null, modifiedAt: at, lastUploader: null, lastTransferId: null, lastEventId: eventId } }));
  return { ops, anomalies: missing.length > 0 ? ['parent_unknown'] : [] };
}

function combine(...plans: CatalogPlan[]): CatalogPlan {
  return { ops: plans.flatMap((plan) => plan.ops), anomalies: plans.flatMap((plan) => plan.anomalies) };
}

function planUpload(view: CatalogView, event: Extract<TransferEvent, { type: 'ferry.transfer.completed.v1' }>): CatalogPlan {
  const d = event.data;
  if (d.direction === 'download') return view.get(d.username, d.path) === undefined ? { ops: [], anomalies: ['download_unknown_file'] } : NOTHING;
  const entry: CatalogEntry = { username: d.username, path: d.path, kind: 'file', size: d.fileSize ?? d.offset + d.bytes, modifiedAt: d.endedAt, lastUploader: d.username, lastTransferId: d.transferId, lastEventId: event.id };
  return combine(ensureParents(view, d.username, d.path, d.endedAt, event.id), { ops: [{ op: 'put', entry }], anomalies: [] });
}

function planRemove(view: CatalogView, username: string, path: string, expected: 'file' | 'dir'): CatalogPlan {
  const current = view.get(username, path);
  if (current === undefined) return { ops: [], anomalies: ['missing_path'] };
  return { ops: [{ op: 'removeTree', username, path }], anomalies: current.kind === expected ? [] : ['kind_mismatch'] };
}

function planRename(view: CatalogView, event: Extract<FsEvent, { type: 'ferry.fs.rename.v1' }>): CatalogPlan {
  const { username, from, to, at, isDirectory } = event.data;
  if (from === to) return NOTHING;
  const parents = ensureParents(view, username, to, at, event.id);
  const replaced: CatalogOp[] = view.get(username, to) === undefined ? [] : [{ op: 'removeTree', username, path: to }];
  if (view.get(username, from) === undefined) {
    const entry: CatalogEntry = { username, path: to, kind: isDirectory ? 'dir' : 'file', size: null, modifiedAt: at, lastUploader: null, lastTransferId: null, lastEventId: event.id };
    return combine(parents, { ops: [...replaced, { op: 'put', entry }], anomalies: ['missing_path'] });
  }
  return combine(parents, { ops: [...replaced, { op: 'moveTree', username, from, to }], anomalies: [] });
}

/**
 * Plans how one event changes the file catalog, given what the catalog holds now.
 * Uploads put the file (and any folder it needed); rmdir and delete remove the path
 * and everything below it; a rename moves a folder with all its children. Events
 * about unknown paths are applied as well as possible and reported as anomalies.
 */
export function planCatalog(view: CatalogView, event: CatalogEvent): CatalogPlan {
  switch (event.type) {
    case 'ferry.transfer.completed.v1':
      return planUpload(view, event);
    case 'ferry.transfer.started.v1':
    case 'ferry.transfer.failed.v1':
    case 'ferry.transfer.aborted.v1':
      return NOTHING;
    case 'ferry.fs.mkdir.v1': {
      const { username, path, at } = event.data;
      if (view.get(username, path) !== undefined) return { ops: [], anomalies: ['already_exists'] };
      const entry: CatalogEntry = { username, path, kind: 'dir', size: null, modifiedAt: at, lastUploader: null, lastTransferId: null, lastEventId: event.id };
      return combine(ensureParents(view, username, path, at, event.id), { ops: [{ op: 'put', entry }], anomalies: [] });
    }
    case 'ferry.fs.rmdir.v1':
      return planRemove(view, event.data.username, event.data.path, 'dir');
    case 'ferry.fs.delete.v1':
      return planRemove(view, event.data.username, event.data.path, 'file');
    case 'ferry.fs.rename.v1':
      return planRename(view, event);
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

const keyOf = (username: string, path: string) => `${username}\u0000${path}`;

/** An in-memory catalog: the reference semantics of the ops, used by tests and by replays into memory. */
export class MemoryCatalog implements CatalogView {
  readonly entries = new Map<string, CatalogEntry>();

  get(username: string, path: string): CatalogEntry | undefined {
    return this.entries.get(keyOf(username, path));
  }

  apply(ops: readonly CatalogOp[]): void {
    for (const op of ops) this.applyOne(op);
  }

  list(): CatalogEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.username === b.username ? (a.path < b.path ? -1 : 1) : a.username < b.username ? -1 : 1));
  }

  private applyOne(op: CatalogOp): void {
    switch (op.op) {
      case 'put':
        this.entries.set(keyOf(op.entry.username, op.entry.path), op.entry);
        return;
      case 'removeTree':
        for (const entry of this.below(op.username, op.path)) this.entries.delete(keyOf(entry.username, entry.path));
        return;
      case 'moveTree':
        for (const entry of this.below(op.username, op.from)) {
          this.entries.delete(keyOf(entry.username, entry.path));
          const path = op.to + entry.path.slice(op.from.length);
          this.entries.set(keyOf(entry.username, path), { ...entry, path });
        }
        return;
      default: {
        const _exhaustive: never = op;
        return _exhaustive;
      }
    }
  }

  private below(username: string, root: string): CatalogEntry[] {
    return [...this.entries.values()].filter((entry) => entry.username === username && isSameOrBelow(entry.path, root));
  }
}
