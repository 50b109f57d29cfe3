import type { CliIo } from './io.js';
import type { Target } from './locate.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}

export interface CommandContext {
  readonly io: CliIo;
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly json: boolean;
  string(name: string): string | undefined;
  boolean(name: string): boolean | undefined;
  print(text: string): void;
  /** Where the admin API is and the token (resolved on first use). */
  target(): Promise<Target>;
}

export interface CommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** Lines describing the command's own options. */
  readonly help: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly takesName: boolean;
  run(ctx: CommandContext, name: string): Promise<void>;
}
