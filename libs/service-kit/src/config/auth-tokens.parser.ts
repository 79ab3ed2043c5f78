import type { CallerCredential } from '../auth/caller-credential';
import { ConfigurationError } from './configuration.error';

/** Shortest token accepted: shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses `AUTH_TOKENS`. Messages identify entries by position and caller name only: the
 * value is a secret, so neither it nor the JSON parser's message (which quotes the input)
 * is ever repeated.
 */
export function parseAuthTokens(name: string, raw: string): CallerCredential[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(name, 'is not valid JSON (expected [{caller, token, scopes}])');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigurationError(name, 'must be a non-empty JSON array of {caller, token, scopes}');
  }
  const callers = new Set<string>();
  const tokens = new Set<string>();
  return parsed.map((entry: unknown, index): CallerCredential => {
    const where = `entry ${index + 1}`;
    if (!isRecord(entry)) throw new ConfigurationError(name, `${where} is not an object`);
    const { caller, token, scopes } = entry;
    if (typeof caller !== 'string' || !/^[A-Za-z0-9._-]+$/.test(caller)) {
      throw new ConfigurationError(
        name,
        `${where} needs a "caller" of letters, digits, ".", "_" or "-"`,
      );
    }
    const who = `${where} (caller "${caller}")`;
    if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH) {
      throw new ConfigurationError(
        name,
        `${who} needs a "token" of at least ${MIN_TOKEN_LENGTH} characters`,
      );
    }
    if (/\s/.test(token)) throw new ConfigurationError(name, `${who} has whitespace in its token`);
    if (
      !Array.isArray(scopes) ||
      !scopes.every((scope) => typeof scope === 'string' && /^\S+$/.test(scope))
    ) {
      throw new ConfigurationError(name, `${who} needs "scopes", an array of scope names`);
    }
    if (callers.has(caller)) throw new ConfigurationError(name, `${who} repeats a caller`);
    if (tokens.has(token))
      throw new ConfigurationError(name, `${who} repeats another entry's token`);
    callers.add(caller);
    tokens.add(token);
    return { caller, token, scopes: [...new Set(scopes as string[])] };
  });
}
