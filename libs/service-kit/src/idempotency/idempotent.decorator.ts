import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiConflictResponse, ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  MAX_IDEMPOTENCY_KEY_LENGTH,
} from './idempotency-key';

export const IDEMPOTENT_ROUTE = 'fulfil:idempotent';

/** Options of {@link Idempotent}. */
export interface IdempotentOptions {
  /** Answer a request without the header with a 400 problem. Default `false`. */
  readonly required?: boolean;
  /**
   * How long a first request may run before a retry with the same key may take it over
   * (the process that held it is presumed crashed). Keep it above the route's slowest
   * answer: a takeover while the first is still running executes the handler twice.
   * Default 60 000 ms.
   */
  readonly lockTimeoutMs?: number;
  /** How long a key and its stored response are kept after the first request. Default 24 h. */
  readonly retentionMs?: number;
  /**
   * For a handler that commits every effect in one transaction together with its answer
   * (`idempotentAnswerWrite`), which it starts with `idempotentKeyGuard()`: the key is not
   * claimed before the handler runs — a statement and a commit less per request. The guard locks
   * the key for the transaction (409 to a request while another one's transaction holds it),
   * and the answer's write takes the key, failing the transaction when another request took it
   * first: that request's answer is then replayed (or 422 for another body). No lock timeout
   * applies (nothing is left claimed should the process die). Default `false`.
   */
  readonly claimWithAnswer?: boolean;
}

/** The options as the interceptor reads them from the route's metadata. */
export type IdempotentRouteOptions = Required<IdempotentOptions>;

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1_000;

function resolveOptions(options: IdempotentOptions): IdempotentRouteOptions {
  if (options.claimWithAnswer && options.lockTimeoutMs !== undefined) {
    throw new TypeError('@Idempotent(): lockTimeoutMs has no use with claimWithAnswer');
  }
  const resolved = {
    required: options.required ?? false,
    lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    claimWithAnswer: options.claimWithAnswer ?? false,
  };
  for (const name of ['lockTimeoutMs', 'retentionMs'] as const) {
    if (!Number.isSafeInteger(resolved[name]) || resolved[name] <= 0) {
      throw new TypeError(`@Idempotent(): ${name} must be a positive integer of milliseconds`);
    }
  }
  if (resolved.retentionMs < resolved.lockTimeoutMs) {
    throw new TypeError('@Idempotent(): retentionMs must not be shorter than lockTimeoutMs');
  }
  return resolved;
}

/**
 * Makes a POST/PUT/PATCH route honour the `Idempotency-Key` header: a retry with the same
 * key and the same request gets the first answer again (with `Idempotent-Replayed: true`)
 * without running the handler; the same key with another request → 422; while the first is
 * still running → 409 with `Retry-After`. Keys are scoped by caller, method and route.
 * Needs the `idempotency_keys` table: add `IDEMPOTENCY_MIGRATIONS` to the service's
 * migrations. Also documents the header and the 409/422 answers in OpenAPI.
 */
export function Idempotent(options: IdempotentOptions = {}): MethodDecorator {
  const resolved = resolveOptions(options);
  return applyDecorators(
    SetMetadata(IDEMPOTENT_ROUTE, resolved),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: resolved.required,
      description:
        'Client-chosen key (1–255 printable ASCII characters, e.g. a UUID) that makes retries ' +
        'safe: a retry with the same key and request returns the first response with ' +
        `\`${IDEMPOTENT_REPLAYED_HEADER}: true\` instead of executing again. Scoped to the ` +
        'caller, method and route; kept for ' +
        `${Math.round(resolved.retentionMs / 60_000)} minutes.`,
      schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
    }),
    ApiConflictResponse({
      description:
        'A request with the same Idempotency-Key is still being processed; retry after ' +
        'Retry-After seconds (problem type idempotency-key-in-progress).',
    }),
    ApiUnprocessableEntityResponse({
      description:
        'The Idempotency-Key was already used with a different request ' +
        '(problem type idempotency-key-reused).',
    }),
  ) as MethodDecorator;
}
