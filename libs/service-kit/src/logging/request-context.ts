import { AsyncLocalStorage } from 'node:async_hooks';

/** What the kit knows about the request being handled. */
export interface RequestContext {
  readonly correlationId: string;
  /** The authenticated caller, set by the bearer guard. */
  caller?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `context` as the current request context (kit middleware only). */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * The context of the HTTP request being handled, or `undefined` outside a request.
 * Use it to pass the correlation id on (Kafka headers, outgoing HTTP calls).
 */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
