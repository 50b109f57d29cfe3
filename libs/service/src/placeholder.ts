import type { ServiceName } from '@ferry/contracts';
import { commonServiceEnv } from '@ferry/config';
import { z } from 'zod';
import type { ServiceDefinition } from './runtime.js';

/**
 * A service that only does what every service does (config, NATS, heartbeats,
 * /healthz /readyz /metrics, clean stop). Services start as this and grow
 * their own domain behind it.
 */
export function placeholderService(name: ServiceName, version: string): ServiceDefinition<z.ZodObject<typeof commonServiceEnv>> {
  return {
    name,
    version,
    config: z.object(commonServiceEnv),
    start: (runtime) => {
      runtime.logger.warn(`${name} has no behaviour of its own yet: it reports health and heartbeats only`);
      return Promise.resolve({ stop: () => Promise.resolve() });
    },
  };
}
