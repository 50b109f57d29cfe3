import { streamNames } from '@ferry/contracts';
import type { Bus } from '@ferry/bus';

export interface StreamState {
  readonly lastSeq: number;
  readonly lastTime: number | null;
}

/** FERRY_ACTIVITY's last sequence and the time it was stored, for the lag. */
export async function activityStreamState(bus: Bus): Promise<StreamState> {
  const info = await bus.jsm.streams.info(streamNames.activity);
  const lastTs = Date.parse(info.state.last_ts);
  return { lastSeq: info.state.last_seq, lastTime: Number.isNaN(lastTs) || info.state.last_seq === 0 ? null : lastTs };
}
