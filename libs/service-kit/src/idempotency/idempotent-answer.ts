import type { ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { currentRequestContext, type RequestContext } from '../logging/request-context';
import { answerStatement, type IdempotencyClaim, type StoredResponse } from './idempotency.store';
import { jsonResponse } from './response-capture';

/** A claimed key's request as its handler runs, and the answer its transaction committed. */
interface PendingAnswer {
  readonly claim: IdempotencyClaim;
  readonly res: ServerResponse;
  committed?: StoredResponse;
}

// By request context: the handler reaches its request's claim without the request object.
const pendingAnswers = new WeakMap<RequestContext, PendingAnswer>();

/**
 * A write (shaped like event-store's `Write`) that stores the answer of an `@Idempotent()`
 * request in the transaction of the handler's own writes.
 */
export interface IdempotentAnswerWrite {
  readonly text: string;
  readonly values: readonly unknown[];
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
 * sent one as usual. Undefined outside an idempotent request whose key this request holds
 * (no key, or a handler called otherwise): there is nothing to store then.
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
    ...answerStatement(pending.claim, response),
    onCommit: () => (pending.committed = response),
  };
}

/**
 * Marks the current request as holding `claim` (the interceptor, before the handler runs) and
 * returns a check: whether the handler's transaction committed exactly `sent` as the answer.
 */
export function expectAnswer(
  claim: IdempotencyClaim,
  res: ServerResponse,
): (sent: StoredResponse) => boolean {
  const context = currentRequestContext();
  if (!context) return () => false;
  const pending: PendingAnswer = { claim, res };
  pendingAnswers.set(context, pending);
  return (sent) => pending.committed !== undefined && isDeepStrictEqual(pending.committed, sent);
}
