import { HttpException } from '@nestjs/common';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import {
  ProblemException,
  ProblemTypes,
  problemTypeForStatus,
  type ProblemDetails,
  type ProblemInit,
} from './problem-details';

/** Errors from the body parser (http-errors with a `type`), before any route runs. */
export interface BodyParserError {
  readonly status: number;
  readonly type: string;
}

export const isBodyParserError = (error: unknown): error is BodyParserError =>
  error instanceof Error &&
  typeof (error as Partial<BodyParserError>).status === 'number' &&
  typeof (error as Partial<BodyParserError>).type === 'string';

const GENERIC_500 = 'An unexpected error occurred; it has been logged.';
const DATABASE_UNAVAILABLE = 'The database is unavailable; retry shortly.';

/** The problem for a body parser error; detail texts never echo the body. */
export function bodyParserProblem(error: BodyParserError): ProblemInit {
  switch (error.type) {
    case 'entity.parse.failed':
      return {
        type: ProblemTypes.malformedJson,
        title: 'Malformed JSON',
        status: 400,
        detail: 'The request body is not valid JSON.',
      };
    case 'entity.too.large':
      return {
        type: ProblemTypes.payloadTooLarge,
        title: 'Payload too large',
        status: 413,
        detail: 'The request body exceeds the size limit.',
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        type: ProblemTypes.unsupportedMediaType,
        title: 'Unsupported media type',
        status: 415,
        detail: 'The request body uses an unsupported charset or encoding.',
      };
    default: {
      const status = error.status >= 400 && error.status < 500 ? error.status : 400;
      return { ...problemTypeForStatus(status), status, detail: 'The request body was rejected.' };
    }
  }
}

function fromHttpException(error: HttpException): ProblemInit {
  if (error instanceof ProblemException) return error.problem;
  const status = error.getStatus();
  const response = error.getResponse();
  const message =
    typeof response === 'string'
      ? response
      : ((response as { message?: unknown }).message ?? error.message);
  const detail = Array.isArray(message) ? message.join('; ') : String(message);
  return {
    ...problemTypeForStatus(status),
    status,
    detail: status >= 500 ? GENERIC_500 : detail,
  };
}

/** Seconds a client is told to wait (`Retry-After`) while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

/**
 * Maps anything thrown while handling a request to a problem. `expected` is false when the
 * error is a bug (it becomes a 500 with a generic detail and must be logged with its stack).
 * An unreachable database (crashed, restarting, out of connections) is a 503 the client may
 * retry after `retryAfterSeconds`: no bug, but logged as a warning.
 */
export function toProblem(
  error: unknown,
  instance?: string,
): { problem: ProblemDetails; expected: boolean; retryAfterSeconds?: number } {
  let problem: ProblemInit;
  let expected = true;
  let retryAfterSeconds: number | undefined;
  if (error instanceof HttpException) {
    problem = fromHttpException(error);
    expected = problem.status < 500 || error instanceof ProblemException;
  } else if (isBodyParserError(error) && error.status < 500) {
    problem = bodyParserProblem(error);
  } else if (isDatabaseUnavailable(error)) {
    problem = { ...problemTypeForStatus(503), status: 503, detail: DATABASE_UNAVAILABLE };
    retryAfterSeconds = DATABASE_RETRY_AFTER_SECONDS;
  } else {
    problem = { ...problemTypeForStatus(500), status: 500, detail: GENERIC_500 };
    expected = false;
  }
  return {
    problem: instance ? { ...problem, instance } : problem,
    expected,
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
  };
}
