/** How far the projection is behind the stream. */
export interface Lag {
  /** Stream messages not yet applied (stream last sequence − applied sequence). */
  readonly events: number;
  /** Time between the newest stored message and the last applied event; 0 when caught up, null when unknown. */
  readonly secondsBehind: number | null;
}

export function lagOf(stream: { lastSeq: number; lastTime: number | null }, applied: { streamSeq: number; eventTime: number | null }): Lag {
  const events = Math.max(0, stream.lastSeq - applied.streamSeq);
  if (events === 0) return { events, secondsBehind: 0 };
  if (stream.lastTime === null || applied.eventTime === null) return { events, secondsBehind: null };
  return { events, secondsBehind: Math.max(0, (stream.lastTime - applied.eventTime) / 1_000) };
}

export type LagCheck = {
  readonly ok: boolean;
  readonly events?: number;
  readonly secondsBehind?: number | null;
  readonly detail?: string;
};

/** The `lag` check of /readyz: failing before the first measurement and above `maxLagSeconds`. */
export function lagCheck(lag: Lag | undefined, maxLagSeconds: number): LagCheck {
  if (lag === undefined) return { ok: false, detail: 'lag not measured yet' };
  const ok = lag.secondsBehind !== null && lag.secondsBehind <= maxLagSeconds;
  return { ok, events: lag.events, secondsBehind: lag.secondsBehind, ...(ok ? {} : { detail: `more than ${maxLagSeconds}s behind FERRY_ACTIVITY` }) };
}
