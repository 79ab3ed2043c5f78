import type { ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { currentRequestContext, type RequestContext } from '../logging/request-context';
import type { IdempotencyStatement, StoredResponse } from './idempotency.store';
import { jsonResponse } from './response-capture';

/** The statement that stores a response as the answer of the request's key. */
export type AnswerStatement = (response: StoredResponse) => IdempotencyStatement;

/** An idempotent request as its handler runs, and the answer its transaction committed. */
interface PendingAnswer {
  readonly statementFor: AnswerStatement;
  readonly res: ServerResponse;
  /** The request's key guard (`claimWithAnswer`): see `idempotentKeyGuard`. */
  readonly guard?: IdempotencyStatement;
  committed?: StoredResponse;
}

// By request context: the handler reaches its request's claim without the request object.
const pendingAnswers = new WeakMap<RequestContext, PendingAnswer>();

/**
 * A write (shaped like event-store's `Write`) that stores the answer of an `@Idempotent()`
 * request in the transaction of the handler's own writes.
 */
export interface IdempotentAnswerWrite extends IdempotencyStatement {
  /** To run once the transaction has committed (event-store's `runWrites` does). */
  readonly onCommit: () => void;
}

/**
 * The answer of the `@Idempotent()` request being handled, as a write to commit together with
 * the handler's own writes: the answer and what it answers for commit as one, so no crash can
 * leave the one without the other, and the interceptor stores nothing afterwards — a statement
 * and a durable commit less per request. `value` is the object the handler is going to return
 * (sent as its JSON), `laterHeaders` the replayed headers it sets on the response before
 * returning, such as `{ location: '/orders/…' }` (names in lower case).
 *
 * Only an answer that is exactly what the handler then sends counts: should the sent response
 * differ, or the transaction not commit (`onCommit` not called), the interceptor stores the
 * sent one as usual. Undefined outside an idempotent request with a key (no key, or a handler
 * called otherwise): there is nothing to store then.
 *
 * On a route with `claimWithAnswer` the write also takes the key, which nothing claimed before:
 * when another request with it took it first, the write fails, and with it the transaction.
 */
export function idempotentAnswerWrite(
  value: object,
  laterHeaders: Readonly<Record<string, string>> = {},
): IdempotentAnswerWrite | undefined {
  const context = currentRequestContext();
  const pending = context && pendingAnswers.get(context);
  if (!pending) return undefined;
  const response = jsonResponse(value, pending.res, laterHeaders);
  return {
    ...pending.statementFor(response),
    onCommit: () => (pending.committed = response),
  };
}

/**
 * The first statement for the transaction of a `claimWithAnswer` request's handler, before any
 * of its writes: it locks the request's key for the transaction, and fails it when another
 * request with the key is still in its own — that request then gets 409
 * `idempotency-key-in-progress`, as on routes that claim their keys first. Without it, such a
 * request runs the handler beside the first and is answered with the first one's answer once
 * that committed (its own work rolled back by `idempotentAnswerWrite`'s). Undefined on other
 * routes (their claim guards the key) and outside an idempotent request with a key.
 */
export function idempotentKeyGuard(): IdempotencyStatement | undefined {
  const context = currentRequestContext();
  return context && pendingAnswers.get(context)?.guard;
}

/**
 * Marks the current request as one whose answer `statementFor` stores (the interceptor, before
 * the handler runs: the answer of its claim, or one that takes its key, `claimWithAnswer`) and
 * returns a check: whether the handler's transaction committed exactly `sent` as the answer.
 */
export function expectAnswer(
  statementFor: AnswerStatement,
  res: ServerResponse,
  guard?: IdempotencyStatement,
): (sent: StoredResponse) => boolean {
  const context = currentRequestContext();
  if (!context) return () => false;
  const pending: PendingAnswer = { statementFor, res, ...(guard && { guard }) };
  pendingAnswers.set(context, pending);
  return (sent) => pending.committed !== undefined && isDeepStrictEqual(pending.committed, sent);
}
