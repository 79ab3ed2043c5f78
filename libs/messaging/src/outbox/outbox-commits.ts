/** The relays of this process, told when a transaction that wrote outbox rows has committed. */
const listeners = new Set<() => void>();

/** Calls `listener` after each commit of outbox rows in this process; returns the unsubscribe. */
export function onOutboxCommit(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/**
 * Tells this process' relays that outbox rows committed: they read them at once instead of at
 * their next poll. The outbox write rings it after the commit (the `onCommit` of
 * `integrationEventsWrite`, which `enqueueIntegrationEvents` sends too).
 */
export function outboxCommitted(): void {
  for (const listener of listeners) listener();
}
