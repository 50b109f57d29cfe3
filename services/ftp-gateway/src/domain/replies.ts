import { FerryError } from '@ferry/contracts';
import type { GatewayErrorCode } from './errors.js';
import { PermissionDeniedError } from './errors.js';

export interface FtpReply {
  readonly code: number;
  readonly text: string;
}

const FIXED: Record<GatewayErrorCode, FtpReply> = {
  PATH_INVALID: { code: 553, text: 'Requested action not taken: file name not allowed.' },
  PATH_NOT_FOUND: { code: 550, text: 'No such file or directory.' },
  PERMISSION_DENIED: { code: 550, text: 'Permission denied.' },
  NOT_A_DIRECTORY: { code: 550, text: 'Not a directory.' },
  NOT_A_FILE: { code: 550, text: 'Not a plain file.' },
  DIRECTORY_NOT_EMPTY: { code: 550, text: 'Directory not empty.' },
  ALREADY_EXISTS: { code: 550, text: 'File exists.' },
  OFFSET_INVALID: { code: 554, text: 'Requested action not taken: invalid REST parameter.' },
  STORAGE_FAILED: { code: 451, text: 'Requested action aborted: local error in processing.' },
  SERVICE_UNAVAILABLE: { code: 421, text: 'Service not available, try again later.' },
  DATA_CONNECTION_FAILED: { code: 425, text: "Can't open data connection." },
  PASSIVE_PORTS_EXHAUSTED: { code: 425, text: "Can't open data connection: no passive port free, try again later." },
  TRANSFER_ABORTED: { code: 426, text: 'Connection closed; transfer aborted.' },
  TRANSFER_FAILED: { code: 426, text: 'Connection closed; transfer aborted.' },
};

const FALLBACK: FtpReply = FIXED.STORAGE_FAILED;

/** The one mapping from errors to FTP replies: fixed texts only, never an error's own message. */
export function replyForError(error: unknown): FtpReply {
  if (error instanceof PermissionDeniedError) return { code: 550, text: `Permission denied: this account may not ${error.permission}.` };
  if (error instanceof FerryError && error.code in FIXED) return FIXED[error.code as GatewayErrorCode];
  return FALLBACK;
}
