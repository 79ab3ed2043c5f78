/**
 * Stable codes of envelope problems (the CloudEvents headers and the body, not the data):
 * - `ENVELOPE.MISSING_HEADER` — a required header is absent or empty;
 * - `ENVELOPE.INVALID_HEADER` — a header is malformed, repeated with different values, or
 *   disagrees with the contract (wrong `ce_source`, `ce_subject` ≠ the data's aggregate id);
 * - `ENVELOPE.KEY_MISMATCH` — the Kafka key is not the aggregate id;
 * - `ENVELOPE.UNSUPPORTED_CONTENT_TYPE` — `content-type` is not `application/json`;
 * - `ENVELOPE.MISSING_VALUE` — the message has no body;
 * - `ENVELOPE.INVALID_JSON` — the body is not JSON.
 */
export type EnvelopeErrorCode =
  | 'ENVELOPE.MISSING_HEADER'
  | 'ENVELOPE.INVALID_HEADER'
  | 'ENVELOPE.KEY_MISMATCH'
  | 'ENVELOPE.UNSUPPORTED_CONTENT_TYPE'
  | 'ENVELOPE.MISSING_VALUE'
  | 'ENVELOPE.INVALID_JSON';

/** A Kafka message (or the context to build one) is not a valid CloudEvents envelope. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';

  constructor(
    readonly code: EnvelopeErrorCode,
    /** The header (or `key`, `value`) at fault. */
    readonly header: string,
    detail: string,
  ) {
    super(`${code}: ${header}: ${detail}`);
  }
}
