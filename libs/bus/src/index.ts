export { connectBus, type Bus, type BusOptions } from './connection.js';
export { ensureStreams, toStreamConfig, type EnsureOutcome } from './streams.js';
export { publishEvent, type PublishOptions, type PublishReceipt } from './publisher.js';
export { BufferedPublisher, type BufferedPublisherOptions, type BufferedPublisherStats } from './buffered-publisher.js';
export { startDurableConsumer, type DurableConsumerOptions, type Delivery, type ConsumeOutcome, type RunningConsumer } from './consumer.js';
export { request, serve, type RpcHandler, type RpcContext, type Responder } from './rpc.js';
export { headersWithTraceContext, traceContextOf } from './trace-headers.js';
export type { BusLogger } from './logger.js';
export { silentLogger } from './logger.js';
export {
  BusUnavailableError,
  PublishFailedError,
  ConcurrencyConflictError,
  RpcTimeoutError,
  RpcNoRespondersError,
  RpcRemoteError,
  BufferFullError,
} from './errors.js';
