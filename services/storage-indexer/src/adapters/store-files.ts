import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ActivityEvent } from '@ferry/contracts';
import { ProjectionStore, type ApplyResult, type BatchItem } from './projection-store.js';

const POINTER = 'CURRENT';

/**
 * The projection files in FERRY_STATE_DIR: `projections-<generation>.sqlite`, and a
 * CURRENT file naming the one in use. A rebuild writes a new generation and then
 * moves CURRENT atomically (rename), so a reader always finds a complete store.
 */
export class StoreFiles {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** The file CURRENT names, creating generation 1 on first start. */
  currentFile(): string {
    const pointer = join(this.dir, POINTER);
    if (!existsSync(pointer)) this.point(join(this.dir, 'projections-1.sqlite'));
    return join(this.dir, readFileSync(pointer, 'utf8').trim());
  }

  /** A fresh, unused file name for a rebuild. */
  nextFile(): string {
    const current = basename(this.currentFile());
    const generation = Number(/projections-(\d+)\.sqlite$/.exec(current)?.[1] ?? '1') + 1;
    const file = join(this.dir, `projections-${generation}.sqlite`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    return file;
  }

  /** Makes `file` the current store (atomic for readers of CURRENT). */
  point(file: string): void {
    const temp = join(this.dir, `${POINTER}.tmp`);
    writeFileSync(temp, `${basename(file)}\n`);
    renameSync(temp, join(this.dir, POINTER));
  }

  remove(file: string): void {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }

  open(): ProjectionStore {
    return new ProjectionStore(this.currentFile());
  }
}

/**
 * The store the consumer writes and the API reads; swapped as a whole by a rebuild.
 * Writes go through `apply`, which waits while `exclusive` runs (the hand-over), so
 * no event lands in the old store after the new one has caught up. Reads never wait.
 */
export class StoreHolder {
  private gate: Promise<void> | undefined;

  constructor(public current: ProjectionStore) {}

  async apply(event: ActivityEvent, streamSeq: number): Promise<ApplyResult> {
    while (this.gate !== undefined) await this.gate;
    return this.current.apply(event, streamSeq);
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gate !== undefined) await this.gate;
    let open = () => {};
    this.gate = new Promise<void>((resolve) => (open = resolve));
    try {
      return await fn();
    } finally {
      this.gate = undefined;
      open();
    }
  }

  async applyBatch(items: readonly BatchItem[]): Promise<(ApplyResult | 'skipped')[]> {
    while (this.gate !== undefined) await this.gate;
    return this.current.applyBatch(items);
  }

  swap(next: ProjectionStore): ProjectionStore {
    const previous = this.current;
    this.current = next;
    return previous;
  }
}
