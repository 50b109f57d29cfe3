/**
 * The closed family of Ferry errors: every error that crosses a boundary has a
 * stable `code` (for logs, metrics and mapping to FTP/HTTP replies) and says
 * whether retrying can help.
 */
export class FerryError extends Error {
  override readonly name: string = 'FerryError';
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export type EventParseErrorCode = 'EVENT_INVALID_JSON' | 'EVENT_INVALID_ENVELOPE' | 'EVENT_UNKNOWN_TYPE' | 'EVENT_INVALID_DATA';

/** An event that could not be parsed; `field` names the first failing field ("data.bytes"). */
export class EventParseError extends FerryError {
  override readonly name = 'EventParseError';
  declare readonly code: EventParseErrorCode;
  readonly field: string | undefined;
  readonly eventType: string | undefined;

  constructor(code: EventParseErrorCode, message: string, details: { field?: string; eventType?: string; cause?: unknown } = {}) {
    super(code, message, { retryable: false, cause: details.cause });
    this.field = details.field;
    this.eventType = details.eventType;
  }
}

/** A request or reply that does not match its contract. */
export class ContractViolationError extends FerryError {
  override readonly name = 'ContractViolationError';
  readonly field: string | undefined;

  constructor(message: string, field?: string, cause?: unknown) {
    super('CONTRACT_VIOLATION', message, { retryable: false, cause });
    this.field = field;
  }
}
