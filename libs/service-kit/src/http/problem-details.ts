import { HttpException } from '@nestjs/common';

/** Base of every problem `type` URI the platform returns. */
export const PROBLEM_TYPE_BASE = 'https://fulfil.dev/problems/';

/** Stable problem types of the kit; services add their own under the same base. */
export const ProblemTypes = {
  validationError: `${PROBLEM_TYPE_BASE}validation-error`,
  malformedJson: `${PROBLEM_TYPE_BASE}malformed-json`,
  payloadTooLarge: `${PROBLEM_TYPE_BASE}payload-too-large`,
  unsupportedMediaType: `${PROBLEM_TYPE_BASE}unsupported-media-type`,
  unauthorized: `${PROBLEM_TYPE_BASE}unauthorized`,
  forbidden: `${PROBLEM_TYPE_BASE}forbidden`,
  notFound: `${PROBLEM_TYPE_BASE}not-found`,
  methodNotAllowed: `${PROBLEM_TYPE_BASE}method-not-allowed`,
  conflict: `${PROBLEM_TYPE_BASE}conflict`,
  unprocessable: `${PROBLEM_TYPE_BASE}unprocessable-content`,
  tooManyRequests: `${PROBLEM_TYPE_BASE}too-many-requests`,
  badRequest: `${PROBLEM_TYPE_BASE}bad-request`,
  serviceUnavailable: `${PROBLEM_TYPE_BASE}service-unavailable`,
  internalError: `${PROBLEM_TYPE_BASE}internal-error`,
  /** `@Idempotent({ required: true })` route called without an `Idempotency-Key` header (400). */
  idempotencyKeyMissing: `${PROBLEM_TYPE_BASE}idempotency-key-missing`,
  /** `Idempotency-Key` header that is not 1–255 printable ASCII characters (400). */
  idempotencyKeyInvalid: `${PROBLEM_TYPE_BASE}idempotency-key-invalid`,
  /** The key was already used with another request (other body or path) (422). */
  idempotencyKeyReused: `${PROBLEM_TYPE_BASE}idempotency-key-reused`,
  /** The first request with this key is still being processed (409, with Retry-After). */
  idempotencyKeyInProgress: `${PROBLEM_TYPE_BASE}idempotency-key-in-progress`,
} as const;

/** One offending input field of a validation problem; nested paths look like `lines[0].quantity`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** A problem as code raises it; the filter adds `instance` (the request path). */
export interface ProblemInit {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
  /** Extension members, e.g. `checks` of a readiness failure. */
  readonly [extension: string]: unknown;
}

/** An RFC 9457 problem details body (`application/problem+json`). */
export interface ProblemDetails extends ProblemInit {
  readonly instance?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An exception that is answered with exactly this problem (plus `instance`). Throw it — or
 * a subclass — from controllers when mapping domain errors to HTTP.
 */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemInit) {
    super(problem, problem.status);
  }
}

const BY_STATUS: Readonly<Record<number, { type: string; title: string }>> = {
  400: { type: ProblemTypes.badRequest, title: 'Bad request' },
  401: { type: ProblemTypes.unauthorized, title: 'Unauthorized' },
  403: { type: ProblemTypes.forbidden, title: 'Forbidden' },
  404: { type: ProblemTypes.notFound, title: 'Not found' },
  405: { type: ProblemTypes.methodNotAllowed, title: 'Method not allowed' },
  409: { type: ProblemTypes.conflict, title: 'Conflict' },
  413: { type: ProblemTypes.payloadTooLarge, title: 'Payload too large' },
  415: { type: ProblemTypes.unsupportedMediaType, title: 'Unsupported media type' },
  422: { type: ProblemTypes.unprocessable, title: 'Unprocessable content' },
  429: { type: ProblemTypes.tooManyRequests, title: 'Too many requests' },
  500: { type: ProblemTypes.internalError, title: 'Internal server error' },
  503: { type: ProblemTypes.serviceUnavailable, title: 'Service unavailable' },
};

/** The kit's type and title for an HTTP status; `about:blank` for statuses it has no type for. */
export function problemTypeForStatus(status: number): { type: string; title: string } {
  return BY_STATUS[status] ?? { type: 'about:blank', title: `HTTP ${status}` };
}
