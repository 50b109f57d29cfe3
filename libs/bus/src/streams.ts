import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { StreamSpec } from '@ferry/contracts';
import type { Bus } from './connection.js';
import { BusUnavailableError } from './errors.js';

export function toStreamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    description: spec.description,
    subjects: [...spec.subjects],
    retention: RetentionPolicy.Limits,
    storage: spec.storage === 'file' ? StorageType.File : StorageType.Memory,
    discard: DiscardPolicy.Old,
    max_age: nanos(spec.maxAgeMs),
    num_replicas: spec.replicas,
    duplicate_window: nanos(spec.duplicateWindowMs),
  };
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Creates each stream or brings it to the spec: safe to call from every
 * instance at every start. Only the fields Ferry owns are compared, so an
 * operator's extra settings (placement, sources) survive.
 */
export async function ensureStreams(bus: Bus, specs: readonly StreamSpec[]): Promise<Record<string, EnsureOutcome>> {
  const outcomes: Record<string, EnsureOutcome> = {};
  for (const spec of specs) {
    const wanted = toStreamConfig(spec);
    try {
      const current = await currentConfig(bus, spec.name);
      if (current === undefined) {
        await bus.jsm.streams.add(wanted);
        outcomes[spec.name] = 'created';
      } else if (differs(current, wanted)) {
        await bus.jsm.streams.update(spec.name, { ...current, ...wanted });
        outcomes[spec.name] = 'updated';
      } else {
        outcomes[spec.name] = 'unchanged';
      }
    } catch (error) {
      throw new BusUnavailableError(`could not create or update stream ${spec.name}: ${(error as Error).message}`, error);
    }
  }
  return outcomes;
}

async function currentConfig(bus: Bus, name: string): Promise<StreamConfig | undefined> {
  try {
    return (await bus.jsm.streams.info(name)).config;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw error;
  }
}

function differs(current: StreamConfig, wanted: ReturnType<typeof toStreamConfig>): boolean {
  return (
    current.description !== wanted.description ||
    current.max_age !== wanted.max_age ||
    current.num_replicas !== wanted.num_replicas ||
    current.duplicate_window !== wanted.duplicate_window ||
    current.subjects.join(',') !== (wanted.subjects ?? []).join(',')
  );
}
