/** Synthetic transfer rows for the engine benchmark: skewed users, sizes from KB to GB, ~3% failures. */
export interface BenchRow {
  readonly eventId: string;
  readonly transferId: string;
  readonly username: string;
  readonly gateway: string;
  readonly clientIp: string;
  readonly direction: 'upload' | 'download';
  readonly status: 'completed' | 'failed';
  readonly path: string;
  readonly bytes: number;
  readonly durationMs: number;
  readonly endedAtMs: number;
}

export const YEAR_START_MS = Date.UTC(2026, 0, 1);
const YEAR_MS = 365 * 86_400_000;

/** A small deterministic PRNG (mulberry32), so every run loads the same rows. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function* benchRows(count: number, users: number, seed = 42): Generator<BenchRow> {
  const random = prng(seed);
  for (let i = 0; i < count; i++) {
    // Zipf-like skew: user 0 is by far the busiest.
    const user = Math.min(users - 1, Math.floor(users * random() ** 3));
    const bytes = Math.floor(1_024 * 1_000 ** (random() * 2));
    const endedAtMs = YEAR_START_MS + Math.floor((i / count) * YEAR_MS);
    yield {
      eventId: `e-${i.toString(36).padStart(8, '0')}`,
      transferId: `t-${i.toString(36).padStart(8, '0')}`,
      username: `user${user}`,
      gateway: `gw-${i % 4}`,
      clientIp: `10.0.${user % 256}.${i % 250}`,
      direction: random() < 0.6 ? 'download' : 'upload',
      status: random() < 0.03 ? 'failed' : 'completed',
      path: `/data/${user}/file-${i % 5_000}.bin`,
      bytes,
      durationMs: 1 + Math.floor(bytes / 50_000_000 * 1_000),
      endedAtMs,
    };
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function timeIt(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function timeItAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
