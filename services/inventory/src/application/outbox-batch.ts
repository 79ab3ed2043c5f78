import type { IntegrationEvent } from '@fulfil/contracts';
import type { Queryable } from '@fulfil/event-store';
import { enqueueIntegrationEvents } from '@fulfil/messaging';
import { outboxContext, type CommandContext } from './command-context';

/**
 * The integration events of one unit of work (a reservation and the SKUs it touches), written to
 * the outbox with one statement instead of one per ledger. They keep the order they were added
 * in, which is the order the ledgers produced them.
 */
export class OutboxBatch {
  private readonly events: IntegrationEvent[] = [];

  constructor(private readonly context: CommandContext) {}

  add(events: readonly IntegrationEvent[]): void {
    this.events.push(...events);
  }

  /** Writes what was added since the last write, in the caller's transaction (none: no statement). */
  async write(client: Queryable): Promise<void> {
    const events = this.events.splice(0);
    await enqueueIntegrationEvents(
      client,
      events.map((event) => ({ event })),
      outboxContext(this.context),
    );
  }
}

/** Adds `events` to `batch` when there is one, else writes them to the outbox at once. */
export async function publish(
  client: Queryable,
  events: readonly IntegrationEvent[],
  context: CommandContext,
  batch?: OutboxBatch,
): Promise<void> {
  if (batch) return batch.add(events);
  const own = new OutboxBatch(context);
  own.add(events);
  await own.write(client);
}
