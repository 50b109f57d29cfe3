import { FerryError } from '@ferry/contracts';

/** NATS cannot be reached (at start, or while disconnected). Retryable by nature. */
export class BusUnavailableError extends FerryError {
  override readonly name = 'BusUnavailableError';
  constructor(message: string, cause?: unknown) {
    super('BUS_UNAVAILABLE', message, { retryable: true, cause });
  }
}

/** JetStream did not store a message (no ack, stream missing, limits). */
export class PublishFailedError extends FerryError {
  override readonly name = 'PublishFailedError';
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super('BUS_PUBLISH_FAILED', message, options);
  }
}

/** An append with an expected last subject sequence lost the race: someone else wrote first. */
export class ConcurrencyConflictError extends FerryError {
  override readonly name = 'ConcurrencyConflictError';
  constructor(
    readonly subject: string,
    readonly expectedSequence: number,
    cause?: unknown,
  ) {
    super('BUS_CONCURRENCY_CONFLICT', `${subject} changed since sequence ${expectedSequence}: reload and retry`, { retryable: true, cause });
  }
}

export class RpcTimeoutError extends FerryError {
  override readonly name = 'RpcTimeoutError';
  constructor(subject: string, timeoutMs: number, cause?: unknown) {
    super('RPC_TIMEOUT', `no reply on ${subject} within ${timeoutMs} ms`, { retryable: true, cause });
  }
}

export class RpcNoRespondersError extends FerryError {
  override readonly name = 'RpcNoRespondersError';
  constructor(subject: string, cause?: unknown) {
    super('RPC_NO_RESPONDERS', `no service is listening on ${subject}: is it running?`, { retryable: true, cause });
  }
}

/** The responder answered with a typed error. */
export class RpcRemoteError extends FerryError {
  override readonly name = 'RpcRemoteError';
  constructor(
    code: string,
    message: string,
    retryable: boolean,
    readonly field?: string,
  ) {
    super(code, message, { retryable });
  }
}

/** The buffered publisher is full: the caller must shed load (the gateway refuses new sessions with 421). */
export class BufferFullError extends FerryError {
  override readonly name = 'BufferFullError';
  constructor(capacity: number) {
    super('BUS_BUFFER_FULL', `event buffer is full (${capacity} events waiting for NATS)`, { retryable: true });
  }
}
