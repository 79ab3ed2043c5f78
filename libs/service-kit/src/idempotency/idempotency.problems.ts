import { ProblemException, ProblemTypes } from '../http/problem-details';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key';

/** Seconds a client should wait before retrying a key whose first request still runs. */
export const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

export const idempotencyKeyMissing = (): ProblemException =>
  new ProblemException({
    type: ProblemTypes.idempotencyKeyMissing,
    title: 'Idempotency-Key header missing',
    status: 400,
    detail: `This endpoint needs an ${IDEMPOTENCY_KEY_HEADER} header.`,
    header: IDEMPOTENCY_KEY_HEADER,
  });

export const idempotencyKeyInvalid = (reason: string): ProblemException =>
  new ProblemException({
    type: ProblemTypes.idempotencyKeyInvalid,
    title: 'Invalid Idempotency-Key header',
    status: 400,
    detail: `The ${IDEMPOTENCY_KEY_HEADER} header is not valid: ${reason}.`,
    header: IDEMPOTENCY_KEY_HEADER,
  });

export const idempotencyKeyReused = (): ProblemException =>
  new ProblemException({
    type: ProblemTypes.idempotencyKeyReused,
    title: 'Idempotency-Key reused',
    status: 422,
    detail: `This ${IDEMPOTENCY_KEY_HEADER} was already used with a different request (another body or path); use a new key for a new request.`,
    header: IDEMPOTENCY_KEY_HEADER,
  });

export const idempotencyKeyInProgress = (): ProblemException =>
  new ProblemException({
    type: ProblemTypes.idempotencyKeyInProgress,
    title: 'Request with this Idempotency-Key in progress',
    status: 409,
    detail: `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry later.`,
    header: IDEMPOTENCY_KEY_HEADER,
  });
