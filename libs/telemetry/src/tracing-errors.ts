/** Tracing could not start. Not retryable: the configuration or the call order is wrong. */
export class TracingError extends Error {
  readonly retryable = false;

  constructor(
    readonly code: 'TRACING_ALREADY_STARTED' | 'TRACING_ENDPOINT_INVALID',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TracingError';
  }
}
