/**
 * The control channel's framing and parsing, fixing ftp-srv's defects 1, 3 and 4:
 * commands are whole CRLF- (or LF-) terminated lines however TCP splits them,
 * quotes stay part of names, and only LIST/NLST take `ls`-style options.
 */

export interface CommandLine {
  /** Upper-cased verb: "STOR". */
  readonly directive: string;
  /** Everything after the first space, verbatim (may be empty). */
  readonly arg: string;
}

export type FramedLine = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'too_long' };

/** Longest command line accepted, in bytes (a 4096-byte path plus the verb, with room to spare). */
export const MAX_LINE_BYTES = 8192;

const IAC = 0xff;

export class LineFramer {
  private buffer: Uint8Array = new Uint8Array(0);
  private discarding = false;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  /** Feeds bytes; returns the complete lines (and over-long line markers) in order. */
  push(chunk: Uint8Array): FramedLine[] {
    const out: FramedLine[] = [];
    let data = concat(this.buffer, chunk);
    for (;;) {
      const end = data.indexOf(0x0a);
      if (end === -1) break;
      const raw = data.subarray(0, end > 0 && data[end - 1] === 0x0d ? end - 1 : end);
      data = data.subarray(end + 1);
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (raw.length > this.maxBytes) out.push({ kind: 'too_long' });
      else out.push({ kind: 'line', text: new TextDecoder('utf-8').decode(stripTelnet(raw)) });
    }
    if (data.length > this.maxBytes) {
      if (!this.discarding) out.push({ kind: 'too_long' });
      this.discarding = true;
      data = new Uint8Array(0);
    }
    this.buffer = Uint8Array.from(data);
    return out;
  }
}

/** Drops Telnet IAC sequences (clients send IAC IP / IAC DM before ABOR); 0xFF never occurs in UTF-8. */
function stripTelnet(raw: Uint8Array): Uint8Array {
  if (!raw.includes(IAC)) return raw;
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i] ?? 0;
    if (byte === IAC) {
      i += 1;
      continue;
    }
    out.push(byte);
  }
  return Uint8Array.from(out);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export function parseCommandLine(text: string): CommandLine {
  const space = text.indexOf(' ');
  const verb = space === -1 ? text : text.slice(0, space);
  return { directive: verb.trim().toUpperCase(), arg: space === -1 ? '' : text.slice(space + 1) };
}

/** A verb as RFC 959 spells them: 3-4 letters. Anything else is a syntax error, never echoed back. */
export function isWellFormedVerb(directive: string): boolean {
  return /^[A-Z]{3,4}$/.test(directive);
}

/** LIST/NLST: leading `ls` options (-a, -l, -al, -la, -R...) are dropped, as vsftpd does; the rest is the path. */
export function stripListOptions(arg: string): { path: string; options: string } {
  const match = /^((?:-[A-Za-z]+\s*)+)(.*)$/.exec(arg.trim());
  if (match === null) return { path: arg.trim(), options: '' };
  return { path: (match[2] ?? '').trim(), options: (match[1] ?? '').trim() };
}
