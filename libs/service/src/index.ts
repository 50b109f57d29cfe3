export { runService, EX_UNAVAILABLE, type ProcessHooks, type RunningService } from './run-service.js';
export { startHeartbeats, type HeartbeatSource } from './heartbeat.js';
export type { ServiceDefinition, ServiceRuntime, StartedService } from './runtime.js';
export { placeholderService } from './placeholder.js';
export { bearerTokenChecker } from './bearer-token.js';
