import { type z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { describedExpectation, isSecretVariable } from './schema-walk.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** What `loadConfig` returns: the parsed values, frozen all the way down. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer Item)[]
    ? readonly DeepReadonly<Item>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** sysexits.h EX_CONFIG: supervisors and operators read it as "fix the configuration". */
export const EX_CONFIG = 78;

/**
 * Parses the environment once against `schema`, reporting every bad variable in
 * a single `ConfigError` rather than the first one, so an operator fixes a
 * deployment in one round. Only the entry point (main.ts) should call this.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Env = process.env,
): DeepReadonly<z.output<S>> {
  const input = withoutEmptyValues(env);
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(toConfigIssues(schema, env, result.error.issues), { cause: result.error });
  }
  return deepFreeze(result.data) as DeepReadonly<z.output<S>>;
}

export interface ExitOptions {
  /** Ends the process; defaults to `process.exit`. If it returns (tests), the ConfigError is thrown. */
  readonly exit?: (code: number) => void;
  /** Where the report goes; defaults to stderr. */
  readonly write?: (text: string) => void;
}

/** `loadConfig` for main.ts: on bad config, print the report and exit with EX_CONFIG (78). */
export function loadConfigOrExit<S extends z.ZodObject>(
  schema: S,
  env: Env,
  { exit = (code) => process.exit(code), write = (text) => process.stderr.write(text) }: ExitOptions = {},
): DeepReadonly<z.output<S>> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(`${error.message}\n`);
    exit(EX_CONFIG);
    throw error;
  }
}

/**
 * `FOO=` in a .env file or `FOO=${FOO:-}` in compose means "not set": treat it so,
 * letting defaults apply instead of failing on an empty string.
 */
function withoutEmptyValues(env: Env): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') present[name] = value;
  }
  return present;
}

function toConfigIssues(schema: z.ZodObject, env: Env, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const problemsByVariable = new Map<string, string[]>();
  for (const issue of issues) {
    const variable = variableOf(issue);
    const problems = problemsByVariable.get(variable) ?? [];
    problems.push(describeProblem(issue, env[variable]));
    problemsByVariable.set(variable, problems);
  }
  return [...problemsByVariable].map(([variable, problems]) => {
    const field = schema.shape[variable] as z.core.$ZodType | undefined;
    return {
      variable,
      problems,
      expected: describedExpectation(field),
      received: describeReceived(env[variable], isSecretVariable(variable, field)),
    };
  });
}

function variableOf(issue: z.core.$ZodIssue): string {
  const [first] = issue.path;
  return typeof first === 'string' ? first : '(config)';
}

function describeProblem(issue: z.core.$ZodIssue, raw: string | undefined): string {
  const unset = raw === undefined || raw === '';
  if (unset && issue.code === 'invalid_type') return 'is required';
  // A list item's position tells the operator which entry to fix.
  const [, item] = issue.path;
  const where = typeof item === 'number' ? `item ${item + 1}: ` : '';
  return `${where}${issue.message}`;
}

function describeReceived(raw: string | undefined, secret: boolean): string {
  if (raw === undefined) return 'nothing (not set)';
  if (raw === '') return 'an empty value';
  if (secret) return 'a value that is hidden because it is secret';
  return JSON.stringify(raw);
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const nested of Object.values(value)) deepFreeze(nested);
  return Object.freeze(value);
}
