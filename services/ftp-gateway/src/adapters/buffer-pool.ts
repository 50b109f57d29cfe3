/**
 * Equal-sized buffers handed out and taken back, so a download does not allocate a
 * fresh buffer per chunk. Memory outside the JS heap counts towards V8's collection
 * triggers: a 1 GiB RETR that allocated 4,096 buffers of 256 KiB spent a quarter to a
 * third of the gateway's CPU in full garbage collections (issue 7). At most `keep`
 * buffers wait in the pool; beyond that a returned buffer is left to the collector.
 */
export class BufferPool {
  private readonly idle: Buffer[] = [];
  /** Pool-sized buffers handed out and not given back yet. */
  private lent = 0;

  constructor(
    readonly bufferBytes: number,
    private readonly keep: number,
  ) {}

  /**
   * An idle buffer, or a new pool-sized one while the pool could still keep it. Past that
   * (more than `keep` downloads at once) a new buffer of just `wanted` bytes, at most the
   * pool's size: a thousand downloads of 1 KiB files need not hold 256 KiB each.
   */
  take(wanted: number = this.bufferBytes): Buffer {
    const idle = this.idle.pop();
    if (idle !== undefined || this.lent + this.idle.length < this.keep) {
      this.lent += 1;
      return idle ?? Buffer.allocUnsafeSlow(this.bufferBytes);
    }
    return Buffer.allocUnsafeSlow(Math.max(1, Math.min(wanted, this.bufferBytes)));
  }

  /** The caller must hold no other reference to `buffer` that it still reads or writes. */
  give(buffer: Buffer): void {
    if (buffer.length !== this.bufferBytes || this.idle.includes(buffer)) return;
    this.lent = Math.max(0, this.lent - 1);
    if (this.idle.length < this.keep) this.idle.push(buffer);
  }

  get idleCount(): number {
    return this.idle.length;
  }
}
