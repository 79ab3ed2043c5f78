/** The request header carrying the client's idempotency key. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Set to `true` on a response that is a replay of a stored one. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Longest key accepted; keys are opaque to the server, so this only bounds storage. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

// Printable ASCII (space to tilde). Node already trims surrounding whitespace.
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;

/** What a request's `Idempotency-Key` header holds. */
export type IdempotencyKeyHeader =
  | { readonly kind: 'absent' }
  | { readonly kind: 'valid'; readonly key: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Reads the `Idempotency-Key` header as Node delivers it (`req.headers['idempotency-key']`).
 * The value is taken literally (as Stripe and most clients send it): a quoted
 * structured-field string is a different key than its unquoted content, which is harmless
 * because a client retries with the very same header.
 */
export function parseIdempotencyKey(value: string | string[] | undefined): IdempotencyKeyHeader {
  if (value === undefined) return { kind: 'absent' };
  if (Array.isArray(value)) return { kind: 'invalid', reason: 'it must be sent once' };
  if (value.length === 0) return { kind: 'invalid', reason: 'it must not be empty' };
  if (value.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return {
      kind: 'invalid',
      reason: `it must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long`,
    };
  }
  if (!PRINTABLE_ASCII.test(value)) {
    return { kind: 'invalid', reason: 'it must consist of printable ASCII characters only' };
  }
  return { kind: 'valid', key: value };
}
