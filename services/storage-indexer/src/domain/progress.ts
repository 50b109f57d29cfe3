/** A one-line progress bar: `[#####.....] 12,345 / 20,000 events  61.7%  8,123 ev/s  ETA 1s`. */
export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
}

const number = (value: number) => Math.round(value).toLocaleString('en-US');

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3_600)}h${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')}m`;
}

export function formatProgress({ done, total, elapsedMs }: Progress, width = 30): string {
  const fraction = total <= 0 ? 1 : Math.min(1, done / total);
  const filled = Math.floor(fraction * width);
  const rate = elapsedMs <= 0 ? 0 : (done * 1_000) / elapsedMs;
  const eta = done >= total ? 0 : rate === 0 ? Number.POSITIVE_INFINITY : (total - done) / rate;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${number(done)} / ${number(total)} events  ${(fraction * 100).toFixed(1)}%  ${number(rate)} ev/s  ETA ${formatDuration(eta)}`;
}
