import { Kvm, type KV } from '@nats-io/kv';
import type { Bus } from '@ferry/bus';
import { initialRelayState, type RelayState } from '../domain/model.js';
import { initialWatchdogState } from '../domain/watchdog.js';

const STATE_KEY = 'state';
const FORMAT = 1;

/**
 * The relay's state as one JSON document in a NATS KV bucket (created at start).
 * Saves are serialised; a save requested while one runs is coalesced into the next.
 */
export class StateStore {
  private writing: Promise<void> = Promise.resolve();
  private latest: RelayState | undefined;

  private constructor(private readonly kv: KV) {}

  static async open(bus: Bus, bucket: string, replicas: number): Promise<StateStore> {
    const kv = await new Kvm(bus.nc).create(bucket, { history: 1, replicas, description: 'alert-relay state: firing alerts, groups, silences, pending notifications' });
    return new StateStore(kv);
  }

  async load(): Promise<RelayState> {
    const entry = await this.kv.get(STATE_KEY);
    if (entry === null || entry.length === 0) return initialRelayState();
    const stored = entry.json<{ format: number; state: Partial<RelayState> }>();
    if (stored.format !== FORMAT) throw new Error(`alert-relay state has format ${stored.format}, expected ${FORMAT}`);
    return { ...initialRelayState(), watchdog: initialWatchdogState(), ...stored.state };
  }

  /** Resolves once this state (or a newer one) is stored. */
  save(state: RelayState): Promise<void> {
    this.latest = state;
    const run = this.writing.then(async () => {
      const next = this.latest;
      if (next === undefined) return;
      this.latest = undefined;
      await this.kv.put(STATE_KEY, JSON.stringify({ format: FORMAT, state: next }));
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}
