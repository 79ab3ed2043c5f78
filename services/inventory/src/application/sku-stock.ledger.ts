import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, EventStore } from '@fulfil/event-store';
import type { PoolClient } from 'pg';
import type { SkuStockCommand } from '../domain/stock/sku-stock.commands';
import { skuStockDecider, type SkuStockDecider } from '../domain/stock/sku-stock.decider';
import type { SkuStockEvent } from '../domain/stock/sku-stock.events';
import type { SkuStockState } from '../domain/stock/sku-stock.state';
import { StockLevelsRepository } from '../infrastructure/stock-levels.repository';
import { INVENTORY_SETTINGS, type InventorySettings } from '../inventory.settings';
import { eventMetadata, type CommandContext } from './command-context';
import {
  availabilityChanged,
  changesAvailability,
  skuIntegrationEvents,
} from './integration-events';
import { publish, type PendingWrites } from './pending-writes';

export const skuStreamId = (skuId: string) => `sku-${skuId}`;

/** Hot SKUs collect many events: rebuild from a snapshot taken every 50 versions. */
const SKU_SNAPSHOTS = { schemaVersion: 1, every: 50 } as const;

/**
 * Runs a command against a SKU's stock stream inside the caller's transaction — which must
 * hold the SKU's lock (`lockSkus`) — and, in the same transaction, updates the availability
 * read model and writes the integration events (the SKU's facts and AvailabilityChanged) to
 * the outbox — or adds them to the caller's unit of work (`pending`), which the caller sends.
 */
@Injectable()
export class SkuStockLedger {
  private readonly decider: SkuStockDecider;
  // One attempt: under the SKU lock a version conflict means the transaction must start over.
  private readonly handler: CommandHandler;

  constructor(
    store: EventStore,
    @Inject(INVENTORY_SETTINGS) settings: InventorySettings,
    private readonly levels: StockLevelsRepository,
  ) {
    this.decider = skuStockDecider(settings);
    this.handler = new CommandHandler(store, { maxAttempts: 1 });
  }

  async execute(
    client: PoolClient,
    command: SkuStockCommand,
    context: CommandContext,
    pending?: PendingWrites,
  ): Promise<{ events: readonly SkuStockEvent[]; state: SkuStockState }> {
    const skuId = command.data.skuId;
    const { events, state } = await this.handler.handle(skuStreamId(skuId), command, {
      decider: this.decider,
      metadata: eventMetadata(context),
      snapshot: SKU_SNAPSHOTS,
      client,
    });
    if (events.length === 0) return { events, state };
    if (pending) pending.setLevels(skuId, state, touchedLocations(events));
    else await this.levels.save(client, skuId, state, touchedLocations(events));
    const outgoing = skuIntegrationEvents(events);
    if (changesAvailability(events)) {
      outgoing.push(availabilityChanged(skuId, state, context.now.toISOString()));
    }
    await publish(client, outgoing, context, pending);
    return { events, state };
  }

  /** The SKU's current state (read inside the caller's transaction). */
  async load(client: PoolClient, skuId: string): Promise<SkuStockState> {
    const { state } = await this.handler.load(
      skuStreamId(skuId),
      this.decider,
      SKU_SNAPSHOTS,
      client,
    );
    return state;
  }
}

function touchedLocations(events: readonly SkuStockEvent[]): string[] {
  return events.flatMap((event) =>
    'allocations' in event.data
      ? event.data.allocations.map((a) => a.locationId)
      : [event.data.locationId],
  );
}
