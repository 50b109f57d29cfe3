import type { Bus } from '@ferry/bus';

export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** Every event stored in FERRY_ACTIVITY so far, in order. */
export async function activity(bus: Bus): Promise<StoredEvent[]> {
  const info = await bus.jsm.streams.info('FERRY_ACTIVITY');
  const out: StoredEvent[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await bus.jsm.streams.getMessage('FERRY_ACTIVITY', { seq }).catch(() => undefined);
    if (message) out.push(message.json<StoredEvent>());
  }
  return out;
}
