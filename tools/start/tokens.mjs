// Bearer tokens for local development, generated once and kept in <data dir>/local-tokens.json.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const LOCAL_CALLER = 'local-dev';

/**
 * The `local-dev` caller with every scope in `scopes`: the token is created on the first start
 * and kept (so scripts and API clients keep working); the scope list follows the services.
 * Returns the AUTH_TOKENS value for the services and the token itself.
 */
export function loadLocalTokens(file, scopes) {
  let token;
  if (existsSync(file)) {
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8'));
      const entry = Array.isArray(stored)
        ? stored.find((e) => e.caller === LOCAL_CALLER)
        : undefined;
      if (typeof entry?.token === 'string' && entry.token.length >= 16) token = entry.token;
    } catch {
      // An unreadable file is replaced below.
    }
  }
  token ??= randomBytes(24).toString('base64url');
  const callers = [{ caller: LOCAL_CALLER, token, scopes: [...new Set(scopes)].sort() }];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(callers, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { authTokens: JSON.stringify(callers), token };
}
