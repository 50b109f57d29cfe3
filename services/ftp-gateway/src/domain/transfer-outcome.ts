export type TransferStatus = 'completed' | 'failed' | 'aborted';

export interface TransferResult {
  readonly status: TransferStatus;
  readonly bytes: number;
}

/** A failed or aborted transfer that moved bytes is partial: the client can resume it. */
export function isPartial(result: TransferResult): boolean {
  return result.status !== 'completed' && result.bytes > 0;
}
