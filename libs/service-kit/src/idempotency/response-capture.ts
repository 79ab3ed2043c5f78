import type { ServerResponse } from 'node:http';
import { StreamableFile } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE } from '../http/problem-details';
import { toProblem } from '../http/problem-mapping';
import { ValidationProblem } from '../http/validation-problem';
import type { StoredResponse } from './idempotency.store';

/** Response headers that belong to the answer itself and are replayed with it. */
export const REPLAYED_HEADERS = [
  'content-type',
  'location',
  'content-location',
  'etag',
  'last-modified',
] as const;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Client errors that say "not now" rather than "no": a retry may well succeed, so they are
 * not stored (the key is released instead).
 */
const TRANSIENT_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);

// Nest marks a request whose pipes rejected it (its handler never ran) with this registered
// symbol, meant for interceptors; the kit's ValidationProblem covers Nest versions without it.
const REJECTED_BY_PIPES = Symbol.for('nestjs:rejected-by-pipes');

function replayedHeaders(res: ServerResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.getHeader(name);
    if (value !== undefined)
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

/** What to do with the value a handler produced. */
export type SuccessCapture =
  /** Store `response`, then send `send` (the body as text, so that replays match byte for byte). */
  | { readonly kind: 'store'; readonly response: StoredResponse; readonly send: unknown }
  /** A body the kit cannot store (a stream): release the key and send as is. */
  | { readonly kind: 'unstorable' };

/**
 * Turns a handler's value into the response Nest will send: objects become their JSON text
 * with an explicit JSON content type (what Express's `res.json` would produce), other
 * values their string, `null`/`undefined` no body. Sets the content type on `res`.
 */
export function captureSuccess(value: unknown, res: ServerResponse): SuccessCapture {
  if (value instanceof StreamableFile) return { kind: 'unstorable' };
  if (typeof value === 'object' && value !== null) {
    if (!res.hasHeader('content-type')) res.setHeader('Content-Type', JSON_CONTENT_TYPE);
    const response = jsonResponse(value, res);
    return { kind: 'store', response, send: response.body };
  }
  const body = value === undefined || value === null ? null : String(value);
  return {
    kind: 'store',
    response: { status: res.statusCode, headers: replayedHeaders(res), body },
    send: body ?? value,
  };
}

/**
 * The stored response of `value` sent as JSON on `res` — what `captureSuccess` captures for an
 * object, and what `idempotentAnswerWrite` commits ahead of it. `laterHeaders` are replayed
 * headers the handler sets on `res` only after that (names in lower case).
 */
export function jsonResponse(
  value: object,
  res: ServerResponse,
  laterHeaders: Readonly<Record<string, string>> = {},
): StoredResponse {
  const headers = { ...replayedHeaders(res), ...laterHeaders };
  headers['content-type'] ??= JSON_CONTENT_TYPE;
  return { status: res.statusCode, headers, body: JSON.stringify(value) };
}

/** The request path as the problem details filter writes it into `instance`. */
export const problemInstance = (req: { originalUrl?: string; url?: string }): string =>
  (req.originalUrl ?? req.url ?? '').split('?')[0] ?? '';

/**
 * The response to store for an error, or `undefined` when the key must be released instead:
 * the handler never ran (its input was rejected by validation), or the failure may pass
 * (5xx, unknown errors, 408/425/429). A definitive client error (4xx) is stored exactly as
 * the problem details filter is about to send it, so its replay is identical.
 */
export function captureError(
  error: unknown,
  req: { originalUrl?: string; url?: string },
  res: ServerResponse,
): StoredResponse | undefined {
  const rejectedByPipes = (req as Record<symbol, unknown>)[REJECTED_BY_PIPES] === true;
  if (rejectedByPipes || error instanceof ValidationProblem) return undefined;
  const { problem } = toProblem(error, problemInstance(req));
  if (problem.status < 400 || problem.status >= 500) return undefined;
  if (TRANSIENT_CLIENT_STATUSES.has(problem.status)) return undefined;
  return {
    status: problem.status,
    headers: { ...replayedHeaders(res), 'content-type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(problem),
  };
}
