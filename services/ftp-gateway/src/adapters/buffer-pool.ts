/**
 * Equal-sized buffers handed out and taken back, so a download does not allocate a
 * fresh buffer per chunk. Memory outside the JS heap counts towards V8's collection
 * triggers: a 1 GiB RETR that allocated 4,096 buffers of 256 KiB spent a quarter to a
 * third of the gateway's CPU in full garbage collections (issue 7). At most `keep`
 * buffers wait in the pool; beyond that a returned buffer is left to the collector.
 */
export class BufferPool {
  private readonly idle: Buffer[] = [];

  constructor(
    readonly bufferBytes: number,
    private readonly keep: number,
  ) {}

  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  /** The caller must hold no other reference to `buffer` that it still reads or writes. */
  give(buffer: Buffer): void {
    if (buffer.length === this.bufferBytes && this.idle.length < this.keep && !this.idle.includes(buffer)) this.idle.push(buffer);
  }

  get idleCount(): number {
    return this.idle.length;
  }
}
