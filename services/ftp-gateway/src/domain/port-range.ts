export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export type RangeResult = { readonly ok: true; readonly value: PortRange } | { readonly ok: false; readonly problem: string };

/** "30000-30099" → { min: 30000, max: 30099 }; a single port "30000" is a range of one. */
export function parsePortRange(raw: string): RangeResult {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(raw);
  if (match === null) return { ok: false, problem: 'is not a port range' };
  const min = Number(match[1]);
  const max = Number(match[2] ?? match[1]);
  if (min < 1 || max > 65535) return { ok: false, problem: 'ports must be between 1 and 65535' };
  if (min > max) return { ok: false, problem: 'the first port must not be above the last' };
  return { ok: true, value: { min, max } };
}
