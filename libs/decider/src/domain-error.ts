/**
 * Base class of every rule breach a decider reports. `code` is stable (`ORDER.ALREADY_SHIPPED`):
 * callers and HTTP mappings switch on it, never on the message or the class name.
 *
 * ```ts
 * export class OrderAlreadyShipped extends DomainError {
 *   constructor(orderId: string) {
 *     super('ORDER.ALREADY_SHIPPED', `Order ${orderId} has already shipped`, { orderId });
 *   }
 * }
 * ```
 */
export class DomainError extends Error {
  constructor(
    /** Stable, machine-readable code, `CONTEXT.RULE` in upper snake case. */
    readonly code: string,
    message: string,
    /** Plain data about the breach, safe to log and to return in problem details. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Narrows `error` to a {@link DomainError}, optionally with the given code. */
export function isDomainError(error: unknown, code?: string): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
