import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isDomainError } from '@fulfil/decider';
import { isStaleExpectation } from '@fulfil/event-store';
import type { PoolClient } from 'pg';
import type { ReservationCommand, SkuQuantity } from '../domain/reservation/reservation.commands';
import type { CommitStock, ReleaseStock } from '../domain/stock/sku-stock.commands';
import type { ReservationEvent, SalesChannel } from '../domain/reservation/reservation.events';
import type { LineRequest, LineShortage, StockAllocation } from '../domain/stock/stock.types';
import { RegionalDemandRepository } from '../infrastructure/regional-demand.repository';
import { ReservationsRepository } from '../infrastructure/reservations.repository';
import { INVENTORY_SETTINGS, type InventorySettings } from '../inventory.settings';
import type { CommandContext } from './command-context';
import { NEW_RESERVATION, ReservationLedger, type ReservationDecision } from './reservation.ledger';
import { SkuStockLedger } from './sku-stock.ledger';
import { PendingWrites } from './pending-writes';
import { lockReservation, lockReservationOfOrder, lockSkus } from './stock-locks';

/** An order as inventory needs it to reserve stock (from OrderPlaced). */
export interface OrderToReserve {
  readonly orderId: string;
  readonly channel: SalesChannel;
  /** The preferred location (the customer's store), served first. */
  readonly storeId?: string;
  readonly lines: readonly LineRequest[];
  readonly deliveryRegionCode?: string;
}

/** Which reservation a command is about: by id, or the order's. */
export type ReservationRef = { readonly reservationId?: string; readonly orderId: string };

/**
 * The reservation use cases (R-INV-2, R-INV-4). Every method runs inside the caller's
 * transaction (the inbox's, the deadline's, or one of `InventoryTransactions`) and takes the
 * reservation's lock (unless it is a new one), then the SKUs' locks in sorted order, before it
 * reads any stock and before it writes anything. After the events are appended, the rest of a
 * unit of work — the reservation row, its deadline, the regional demand, the integration events
 * of the reservation and of its SKUs — goes in one statement (`PendingWrites`).
 */
@Injectable()
export class ReservationService {
  constructor(
    private readonly skus: SkuStockLedger,
    private readonly ledger: ReservationLedger,
    private readonly reservations: ReservationsRepository,
    private readonly demand: RegionalDemandRepository,
    @Inject(INVENTORY_SETTINGS) private readonly settings: InventorySettings,
  ) {}

  /**
   * Allocates and reserves the order's lines SKU by SKU: what exists is reserved, the rest is
   * reported as shortages (partial); nothing at all → the reservation fails. One reservation
   * per order: a repeated order changes nothing.
   */
  async reserveForOrder(
    client: PoolClient,
    order: OrderToReserve,
    context: CommandContext,
  ): Promise<{ reservationId: string; events: readonly ReservationEvent[] }> {
    const existing = await this.reservations.findByOrder(client, order.orderId);
    if (existing) return { reservationId: existing.reservationId, events: [] };
    // A fresh id: no other transaction can reach this reservation before we commit, so only
    // the SKUs need locking.
    const reservationId = randomUUID();
    await lockSkus(
      client,
      order.lines.map((line) => line.skuId),
    );
    const pending = new PendingWrites(context);
    const allocations: StockAllocation[] = [];
    const shortages: LineShortage[] = [];
    const unknownSkuIds: string[] = [];
    for (const [skuId, lines] of groupBySku(order.lines)) {
      try {
        const { events } = await this.skus.execute(
          client,
          {
            type: 'ReserveStock',
            data: {
              skuId,
              reservationId,
              orderId: order.orderId,
              lines: lines.map(({ lineId, quantity }) => ({ lineId, quantity })),
              ...(order.storeId ? { preferredLocationId: order.storeId } : {}),
            },
          },
          context,
          pending,
        );
        for (const event of events) {
          if (event.type !== 'StockReserved') continue;
          allocations.push(...event.data.allocations);
          shortages.push(...event.data.shortages);
        }
      } catch (error) {
        if (isDomainError(error, 'INVENTORY.SKU_UNKNOWN')) unknownSkuIds.push(skuId);
        else if (!isDomainError(error, 'INVENTORY.INSUFFICIENT_STOCK')) throw error;
        shortages.push(
          ...lines.map((line) => ({
            lineId: line.lineId,
            skuId,
            requested: line.quantity,
            available: 0,
          })),
        );
      }
    }
    const expiresAt = new Date(
      context.now.getTime() + this.settings.reservationTtlSeconds * 1000,
    ).toISOString();
    const lineOrder = (lineId: string) => order.lines.findIndex((line) => line.lineId === lineId);
    const decision = this.ledger.decide(
      {
        type: 'MakeReservation',
        data: {
          reservationId,
          orderId: order.orderId,
          channel: order.channel,
          ...(order.storeId ? { preferredLocationId: order.storeId } : {}),
          lines: order.lines,
          allocations,
          shortages: shortages.sort((a, b) => lineOrder(a.lineId) - lineOrder(b.lineId)),
          unknownSkuIds,
          expiresAt,
        },
      },
      NEW_RESERVATION,
      context,
    );
    await this.ledger.save(client, decision, context, pending);
    if (order.deliveryRegionCode) {
      pending.add(
        this.demand.record(
          order.deliveryRegionCode,
          context.now.toISOString().slice(0, 10),
          order.lines,
        ),
      );
    }
    await pending.flush(client);
    return { reservationId, events: decision.events };
  }

  /** Releases everything still held (order cancelled, payment failed or timed out). */
  async release(
    client: PoolClient,
    ref: ReservationRef,
    reason: 'order-cancelled' | 'payment-failed' | 'payment-timed-out',
    context: CommandContext,
  ): Promise<readonly ReservationEvent[]> {
    return this.onReservation(client, ref, context, (reservationId) => ({
      type: 'ReleaseReservation',
      data: { reservationId, reason },
    }));
  }

  /** Releases what the cancelled lines no longer need. */
  async cancelLines(
    client: PoolClient,
    ref: ReservationRef,
    lines: readonly SkuQuantity[],
    context: CommandContext,
  ): Promise<readonly ReservationEvent[]> {
    return this.onReservation(client, ref, context, (reservationId) => ({
      type: 'CancelReservationLines',
      data: { reservationId, lines },
    }));
  }

  /** The order was confirmed: the reservation stops expiring. */
  async confirm(
    client: PoolClient,
    ref: ReservationRef,
    context: CommandContext,
  ): Promise<readonly ReservationEvent[]> {
    return this.onReservation(client, ref, context, (reservationId) => ({
      type: 'ConfirmReservation',
      data: { reservationId },
    }));
  }

  /** A shipment left: the shipped units (or everything, when fully shipped) leave on-hand. */
  async commitShipment(
    client: PoolClient,
    ref: ReservationRef,
    shipment: { shipmentId: string; lines: readonly SkuQuantity[]; fullyShipped: boolean },
    context: CommandContext,
  ): Promise<readonly ReservationEvent[]> {
    return this.onReservation(client, ref, context, (reservationId) => ({
      type: 'CommitReservation',
      data: { reservationId, ...shipment },
    }));
  }

  /** The expiry deadline fired: release unless the reservation became firm meanwhile. */
  async expire(
    client: PoolClient,
    reservationId: string,
    context: CommandContext,
  ): Promise<readonly ReservationEvent[]> {
    return this.onReservation(client, { reservationId, orderId: '' }, context, () => ({
      type: 'ExpireReservation',
      data: { reservationId, now: context.now.toISOString() },
    }));
  }

  /**
   * Locks the reservation, loads it once (unless `onRemembered` can do without), decides, then
   * locks the SKUs whose stock the decision changes (releases, commits) — before anything is
   * written, so the transaction still has no id while it waits — and stores the decision and its
   * stock changes. An unknown reservation is ignored: nothing was reserved for that order (e.g.
   * its OrderPlaced failed), so nothing is owed.
   */
  private async onReservation(
    client: PoolClient,
    ref: ReservationRef,
    context: CommandContext,
    command: (reservationId: string) => ReservationCommand,
  ): Promise<readonly ReservationEvent[]> {
    const reservationId = await lockedReservation(client, ref);
    if (!reservationId) return [];
    const onMemory = await this.onRemembered(client, reservationId, command, context);
    if (onMemory) return onMemory;
    const loaded = await this.ledger.load(client, reservationId);
    if (loaded.state.status === 'none') return [];
    const decision = this.ledger.decide(command(reservationId), loaded, context);
    const changes = stockChanges(decision.events);
    await lockSkus(
      client,
      changes.map((change) => change.data.skuId),
    );
    const pending = new PendingWrites(context);
    await this.ledger.save(client, decision, context, pending);
    for (const change of changes) await this.skus.execute(client, change, context, pending);
    await pending.flush(client);
    return decision.events;
  }

  /**
   * Decides and stores, with no read, a command that changes the reservation but no stock
   * (confirming it: once an order) on the reservation as this process last saw it. Undefined
   * for anything else, decided again on the stored stream: not remembered, a no-op or a refusal
   * (stale memory may be wrong about either), a stock change (its SKUs are locked before
   * anything is written, in one sorted set), or a memory the append found stale.
   */
  private async onRemembered(
    client: PoolClient,
    reservationId: string,
    command: (reservationId: string) => ReservationCommand,
    context: CommandContext,
  ): Promise<readonly ReservationEvent[] | undefined> {
    const remembered = this.ledger.remembered(reservationId);
    if (!remembered) return undefined;
    let decision: ReservationDecision;
    try {
      decision = this.ledger.decide(command(reservationId), remembered, context);
    } catch {
      return undefined;
    }
    if (decision.events.length === 0 || stockChanges(decision.events).length > 0) return undefined;
    const pending = new PendingWrites(context);
    try {
      await this.ledger.save(client, decision, context, pending);
    } catch (error) {
      if (isStaleExpectation(error)) {
        return undefined;
      }
      throw error;
    }
    await pending.flush(client);
    return decision.events;
  }
}

/** Takes the reservation's lock, finding it by order when the id is not known. */
async function lockedReservation(
  client: PoolClient,
  ref: ReservationRef,
): Promise<string | undefined> {
  if (!ref.reservationId) return lockReservationOfOrder(client, ref.orderId);
  return (await lockReservation(client, ref.reservationId)) ? ref.reservationId : undefined;
}

function groupBySku(lines: readonly LineRequest[]): Map<string, LineRequest[]> {
  const bySku = new Map<string, LineRequest[]>();
  for (const line of lines) bySku.set(line.skuId, [...(bySku.get(line.skuId) ?? []), line]);
  return bySku;
}

type StockChange = ReleaseStock | CommitStock;

/** What the reservation's events mean for each SKU's stock, per SKU. */
function stockChanges(events: readonly ReservationEvent[]): StockChange[] {
  const changes: StockChange[] = [];
  const perSku = (
    allocations: readonly StockAllocation[],
    make: (skuId: string, allocations: StockAllocation[]) => StockChange,
  ) => {
    const bySku = new Map<string, StockAllocation[]>();
    for (const a of allocations) bySku.set(a.skuId, [...(bySku.get(a.skuId) ?? []), a]);
    for (const [skuId, ofSku] of bySku) changes.push(make(skuId, ofSku));
  };
  for (const event of events) {
    const { reservationId } = event.data;
    if (event.type === 'ReservationReleased') {
      perSku(event.data.allocations, (skuId, allocations) => ({
        type: 'ReleaseStock',
        data: { skuId, reservationId, reason: event.data.reason, allocations },
      }));
    } else if (event.type === 'ReservationLinesCancelled') {
      perSku(event.data.released, (skuId, allocations) => ({
        type: 'ReleaseStock',
        data: { skuId, reservationId, reason: 'lines-cancelled', allocations },
      }));
    } else if (event.type === 'ReservationCommitted') {
      perSku(event.data.allocations, (skuId, allocations) => ({
        type: 'CommitStock',
        data: { skuId, reservationId, shipmentId: event.data.shipmentId, allocations },
      }));
    }
  }
  return changes;
}
