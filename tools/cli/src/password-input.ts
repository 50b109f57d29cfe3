import { CliError, UsageError } from './errors.js';
import type { CliIo } from './io.js';

export type PasswordSource = { readonly kind: 'given'; readonly password: string } | { readonly kind: 'generate' };

/**
 * Where a new password comes from: --generate-password, --password-stdin (the
 * first line of stdin), or a prompt without echo when stdin is a terminal.
 * Never from an argument: it would sit in the shell history and in `ps`.
 */
export async function choosePassword(flags: { passwordStdin?: boolean | undefined; generatePassword?: boolean | undefined }, io: CliIo, username: string): Promise<PasswordSource> {
  if (flags.passwordStdin === true && flags.generatePassword === true) throw new UsageError('pass either --password-stdin or --generate-password, not both');
  if (flags.generatePassword === true) return { kind: 'generate' };
  if (flags.passwordStdin === true) return { kind: 'given', password: await readStdinPassword(io) };
  if (io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function') {
    const password = await promptHidden(io, `New password for ${username}: `);
    const again = await promptHidden(io, 'Repeat it: ');
    if (password !== again) throw new CliError('the two passwords differ; nothing was changed');
    if (password === '') throw new CliError('empty password; nothing was changed');
    return { kind: 'given', password };
  }
  throw new UsageError('no password: stdin is not a terminal, so pass --password-stdin (and pipe the password in) or --generate-password');
}

async function readStdinPassword(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  if (firstLine === '') throw new CliError('--password-stdin: stdin was empty; pipe the password in, e.g. printf %s "$PASSWORD" | ferry ...');
  return firstLine;
}

/** Reads one line from a terminal in raw mode, echoing nothing; Ctrl-C aborts. */
export function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const { stdin } = io;
  stdin.setRawMode?.(true);
  stdin.resume();
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new CliError('aborted; nothing was changed'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
