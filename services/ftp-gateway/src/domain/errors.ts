import { FerryError } from '@ferry/contracts';

/**
 * The gateway's closed error family. Each code has one fixed FTP reply
 * (replies.ts); the message is for logs only and never reaches a client.
 */
export type GatewayErrorCode =
  | 'PATH_INVALID'
  | 'PATH_NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'NOT_A_DIRECTORY'
  | 'NOT_A_FILE'
  | 'DIRECTORY_NOT_EMPTY'
  | 'ALREADY_EXISTS'
  | 'OFFSET_INVALID'
  | 'STORAGE_FAILED'
  | 'SERVICE_UNAVAILABLE'
  | 'DATA_CONNECTION_FAILED'
  | 'PASSIVE_PORTS_EXHAUSTED'
  | 'TRANSFER_ABORTED'
  | 'TRANSFER_FAILED';

export class GatewayError extends FerryError {
  override readonly name = 'GatewayError';
  declare readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

export class PermissionDeniedError extends GatewayError {
  readonly permission: string;

  constructor(permission: string) {
    super('PERMISSION_DENIED', `the account lacks the ${permission} permission`);
    this.permission = permission;
  }
}
