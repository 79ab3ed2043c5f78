import type { IntegrationEvent } from '@fulfil/contracts';
import { runWrites, type Queryable, type Write } from '@fulfil/event-store';
import { integrationEventsWrite } from '@fulfil/messaging';
import type { SkuStockState } from '../domain/stock/sku-stock.state';
import { stockLevelsWrite } from '../infrastructure/stock-levels.repository';
import { outboxContext, type CommandContext } from './command-context';

/**
 * What one unit of work (a reservation and the SKUs it touches) writes besides its events — the
 * SKUs' availability rows, the reservation row, its deadline, the regional demand, the
 * integration events (in the order the ledgers produced them) — sent in one statement
 * (`runWrites`) when it is done instead of one each. Each row is written once per unit of work,
 * so the writes never touch the same row: a SKU changed twice has its rows written once, as its
 * last state has them.
 */
export class PendingWrites {
  private readonly events: IntegrationEvent[] = [];
  private readonly writes: Write[] = [];
  private readonly levels = new Map<string, { state: SkuStockState; locationIds: Set<string> }>();

  constructor(private readonly context: CommandContext) {}

  /** Integration events for the outbox. */
  publish(events: readonly IntegrationEvent[]): void {
    this.events.push(...events);
  }

  add(write: Write | undefined): void {
    if (write) this.writes.push(write);
  }

  /** A SKU's availability rows at `locationIds`, as `state` (its latest) has them. */
  setLevels(skuId: string, state: SkuStockState, locationIds: Iterable<string>): void {
    const locations = this.levels.get(skuId)?.locationIds ?? new Set<string>();
    for (const locationId of locationIds) locations.add(locationId);
    this.levels.set(skuId, { state, locationIds: locations });
  }

  /** Sends what was added since the last flush, in the caller's transaction (none: nothing). */
  async flush(client: Queryable): Promise<void> {
    const events = this.events.splice(0);
    const writes = this.writes.splice(0);
    const levels = [...this.levels].map(([skuId, level]) => ({ skuId, ...level }));
    this.levels.clear();
    await runWrites(client, [
      stockLevelsWrite(levels),
      ...writes,
      integrationEventsWrite(
        events.map((event) => ({ event })),
        outboxContext(this.context),
      ),
    ]);
  }
}

/** Adds `events` to `pending` when there is a unit of work, else writes them to the outbox at once. */
export async function publish(
  client: Queryable,
  events: readonly IntegrationEvent[],
  context: CommandContext,
  pending?: PendingWrites,
): Promise<void> {
  if (pending) return pending.publish(events);
  const own = new PendingWrites(context);
  own.publish(events);
  await own.flush(client);
}
