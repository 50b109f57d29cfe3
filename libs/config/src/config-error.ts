/** One variable that failed to parse, safe to print: secrets are already hidden. */
export interface ConfigIssue {
  /** The environment variable's name, or `(config)` for a cross-field rule. */
  readonly variable: string;
  /** What zod (or the field helper) said was wrong, one entry per problem. */
  readonly problems: readonly string[];
  /** The field's `.describe()` text, when it has one. */
  readonly expected: string | undefined;
  /** The received value quoted, or why it is not shown. Never a secret. */
  readonly received: string;
}

/** The process cannot start with this environment. Not retryable: fix the variables. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly retryable = false;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(formatConfigIssues(issues), options);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function formatIssue(issue: ConfigIssue): string {
  const expected = issue.expected === undefined ? '' : `; expected ${issue.expected}`;
  return `  - ${issue.variable}: ${issue.problems.join('; ')}${expected}; received ${issue.received}`;
}

function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  const noun = issues.length === 1 ? 'variable' : 'variables';
  const lines = issues.map(formatIssue);
  return [`Invalid configuration: ${issues.length} ${noun} to fix`, ...lines].join('\n');
}
