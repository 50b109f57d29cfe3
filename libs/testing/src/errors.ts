/** Stable codes of every error this library throws. */
export type TestingErrorCode =
  | 'TESTING_MISSING_BINARY'
  | 'TESTING_START_TIMEOUT'
  | 'TESTING_PROCESS_EXITED'
  | 'TESTING_INVALID_CONFIG'
  | 'TESTING_CONTAINER_RUNTIME'
  | 'TESTING_INVALID_ENV'
  | 'TESTING_STOPPED'
  | 'TESTING_STOP_FAILED';

/** Base of the closed family of errors raised while starting or stopping test infrastructure. */
export class TestingError extends Error {
  readonly code: TestingErrorCode;
  readonly retryable: boolean;

  constructor(code: TestingErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TestingError';
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

/** A server binary is not installed (or the override points nowhere). Install it and run again. */
export class MissingBinaryError extends TestingError {
  override readonly code = 'TESTING_MISSING_BINARY';
  readonly binary: string;
  readonly installCommand: string;

  constructor(binary: string, where: string, installCommand: string, options?: { cause?: unknown }) {
    super(
      'TESTING_MISSING_BINARY',
      `${binary} not found ${where}: install it with \`${installCommand}\` (or run \`npm run setup\`)`,
      options,
    );
    this.name = 'MissingBinaryError';
    this.binary = binary;
    this.installCommand = installCommand;
  }
}

/** The server did not become ready in time. `output` holds its last lines. */
export class StartTimeoutError extends TestingError {
  override readonly code = 'TESTING_START_TIMEOUT';
  readonly output: string;

  constructor(what: string, timeoutMs: number, output: string, options?: { cause?: unknown }) {
    super('TESTING_START_TIMEOUT', `${what} was not ready after ${timeoutMs} ms${formatOutput(output)}`, {
      ...options,
      retryable: true,
    });
    this.name = 'StartTimeoutError';
    this.output = output;
  }
}

/** The server process exited while it was expected to start or run. `output` holds its last lines. */
export class ProcessExitedError extends TestingError {
  override readonly code = 'TESTING_PROCESS_EXITED';
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly output: string;

  constructor(what: string, exit: { code: number | null; signal: string | null }, output: string) {
    const how = exit.signal === null ? `code ${String(exit.code)}` : `signal ${exit.signal}`;
    super('TESTING_PROCESS_EXITED', `${what} exited during startup (${how})${formatOutput(output)}`);
    this.name = 'ProcessExitedError';
    this.exitCode = exit.code;
    this.signal = exit.signal;
    this.output = output;
  }
}

/** haproxy refused the configuration. `output` is haproxy's own report. */
export class InvalidHaproxyConfigError extends TestingError {
  override readonly code = 'TESTING_INVALID_CONFIG';
  readonly output: string;

  constructor(output: string) {
    super('TESTING_INVALID_CONFIG', `haproxy rejected the configuration${formatOutput(output)}`);
    this.name = 'InvalidHaproxyConfigError';
    this.output = output;
  }
}

function formatOutput(output: string): string {
  const trimmed = output.trimEnd();
  return trimmed === '' ? ' (no output)' : `; its last output:\n${trimmed}`;
}
