import { ConfigurationError } from './configuration.error';

/** Where a fail-fast start reports; `process` by default, replaceable in tests. */
export interface ExitTarget {
  readonly stderr: { write(line: string): unknown };
  exit(code: number): never | void;
}

/**
 * Loads configuration or stops the process: on a `ConfigurationError` prints exactly one
 * line `Configuration error: <VARIABLE> <what is wrong>` to stderr and exits with code 1.
 * Other errors are rethrown.
 */
export function configOrExit<T>(load: () => T, target: ExitTarget = process): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    target.stderr.write(`Configuration error: ${error.message}\n`);
    target.exit(1);
    throw error; // only reached when a test's exit() returns
  }
}
