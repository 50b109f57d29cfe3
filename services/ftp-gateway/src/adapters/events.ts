import type { EventDefinition, FerryEvent } from '@ferry/contracts';
import { BufferedPublisher, type Bus } from '@ferry/bus';
import type { ServiceRuntime } from '@ferry/service';
import type { z } from 'zod';
import type { GatewayMetrics } from './metrics.js';

/** Everything the gateway publishes goes through here: built, validated, and offered to the buffer (never awaited). */
export interface EventSink {
  emit<D extends EventDefinition>(definition: D, data: z.input<D['data']>): boolean;
  /** True when the buffer refuses new events: new logins are then refused. */
  isFull(): boolean;
  readonly publisher: BufferedPublisher;
}

/**
 * A BufferedPublisher: each event is published in the trace context it was
 * emitted in (the login's or the transfer's span; libs/bus keeps it), so the
 * event's traceparent links it to the FTP command.
 */
export function bufferedSink(runtime: Pick<ServiceRuntime, 'newEvent' | 'logger'>, bus: Bus, capacity: number, metrics: GatewayMetrics): EventSink {
  const publisher = new BufferedPublisher(bus, { capacity, logger: runtime.logger });
  return {
    publisher,
    emit: (definition, data) => {
      let event: FerryEvent;
      try {
        event = runtime.newEvent(definition, data) as FerryEvent;
      } catch (error) {
        runtime.logger.error({ err: error, type: definition.type, data }, 'event not built: it breaks its contract');
        return false;
      }
      const offered = publisher.offer(event);
      if (!offered) {
        metrics.eventsRefused.inc();
        runtime.logger.error({ type: definition.type, id: event.id }, 'event refused: buffer full');
      }
      metrics.eventBufferDepth.set(publisher.depth);
      return offered;
    },
    isFull: () => publisher.isFull,
  };
}
