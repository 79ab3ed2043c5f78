/**
 * A missing or malformed environment variable. The message names the variable and what is
 * wrong with it, and never contains the value (it may be a secret).
 */
export class ConfigurationError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigurationError';
  }
}
