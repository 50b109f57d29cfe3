/**
 * TYPE A line-ending conversion (RFC 959 §3.1.1.1): the wire uses CRLF, the
 * disk keeps LF. Stateful across chunks because a CR can end one chunk and its
 * LF begin the next.
 */
export class ToNetworkAscii {
  private lastWasCr = false;

  /** LF → CRLF (an existing CRLF is kept). */
  convert(chunk: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === 0x0a && !this.lastWasCr) out.push(0x0d);
      out.push(byte);
      this.lastWasCr = byte === 0x0d;
    }
    return Uint8Array.from(out);
  }
}

export class FromNetworkAscii {
  private pendingCr = false;

  /** CRLF → LF; a lone CR is kept. */
  convert(chunk: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.pendingCr) {
        this.pendingCr = false;
        if (byte !== 0x0a) out.push(0x0d);
      }
      if (byte === 0x0d) this.pendingCr = true;
      else out.push(byte);
    }
    return Uint8Array.from(out);
  }

  /** What is still held back at the end of the stream (a trailing CR). */
  flush(): Uint8Array {
    const rest = this.pendingCr ? Uint8Array.of(0x0d) : new Uint8Array(0);
    this.pendingCr = false;
    return rest;
  }
}
