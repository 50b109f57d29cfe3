import { FerryError } from '@ferry/contracts';

/** A query parameter the API cannot use; `field` names it. */
export class QueryParamError extends FerryError {
  override readonly name = 'QueryParamError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('QUERY_INVALID_PARAM', message, { retryable: false });
  }
}

export class UnauthorizedError extends FerryError {
  override readonly name = 'UnauthorizedError';
  constructor() {
    super('QUERY_UNAUTHORIZED', 'a valid bearer token is required (Authorization: Bearer <FERRY_QUERY_TOKEN>)', { retryable: false });
  }
}

export class NotFoundError extends FerryError {
  override readonly name = 'NotFoundError';
  constructor(what: string) {
    super('QUERY_NOT_FOUND', `${what} not found`, { retryable: false });
  }
}

/** HTTP status per error code: the one place the API maps errors. */
export const statusOf: Record<string, number> = {
  QUERY_INVALID_PARAM: 400,
  QUERY_UNAUTHORIZED: 401,
  QUERY_NOT_FOUND: 404,
};
