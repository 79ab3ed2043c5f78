import { createHash, timingSafeEqual } from 'node:crypto';
import type { CallerCredential } from './caller-credential';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Finds the credential for a presented token in constant time: every configured token is
 * compared (as equal-length SHA-256 digests, with `timingSafeEqual`), so neither the length
 * nor the position of a match leaks through timing.
 */
export class TokenMatcher {
  private readonly entries: ReadonlyArray<{ digest: Buffer; credential: CallerCredential }>;

  constructor(credentials: readonly CallerCredential[]) {
    this.entries = credentials.map((credential) => ({
      digest: digest(credential.token),
      credential,
    }));
  }

  match(token: string): CallerCredential | undefined {
    const presented = digest(token);
    let found: CallerCredential | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.credential;
    }
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([^\s]+) *$/i.exec(header ?? '');
  return match?.[1];
}

/** The scopes in `required` that `granted` lacks (empty when the caller may proceed). */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  const have = new Set(granted);
  return required.filter((scope) => !have.has(scope));
}
