import { FerryError } from '@ferry/contracts';

/** Redis cannot be reached or did not answer: admission and open fail closed; retry later. */
export class SessionStoreUnavailableError extends FerryError {
  override readonly name = 'SessionStoreUnavailableError';
  constructor(cause?: unknown) {
    super('SESSION_STORE_UNAVAILABLE', 'the session store (Redis) is unavailable', { retryable: true, cause });
  }
}

/** The admin API was called without the admin token, or with another one. */
export class UnauthorizedError extends FerryError {
  override readonly name = 'UnauthorizedError';
  constructor() {
    super('UNAUTHORIZED', 'a valid admin bearer token is required', { retryable: false });
  }
}

/** A query, path parameter or body failed validation; `field` names it. */
export class InvalidRequestError extends FerryError {
  override readonly name = 'InvalidRequestError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super('INVALID_REQUEST', message, { retryable: false });
  }
}

/** The session, ban or throttle named in an admin request does not exist (or no longer). */
export class NotFoundError extends FerryError {
  override readonly name = 'NotFoundError';
  constructor(code: 'SESSION_NOT_FOUND' | 'BAN_NOT_FOUND' | 'THROTTLE_NOT_FOUND', message: string) {
    super(code, message, { retryable: false });
  }
}
