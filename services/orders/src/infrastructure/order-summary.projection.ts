import { Inject, Injectable } from '@nestjs/common';
import { runWrites, type Queryable, type RecordedEvent, type Write } from '@fulfil/event-store';
import { PG_POOL, type Projection } from '@fulfil/messaging';
import type { Pool, PoolClient } from 'pg';
import type { OrderEvent } from '../domain/order.events';
import type { OrderStatus } from '../domain/order.state';

/** One row of `GET /orders?customerId=`. */
export interface OrderSummary {
  readonly orderId: string;
  readonly orderNumber: string;
  readonly customerId: string;
  readonly channel: string;
  readonly status: OrderStatus;
  readonly paymentMethod: string;
  readonly total: { readonly amountMinor: number; readonly currency: string };
  readonly placedAt: string;
  readonly updatedAt: string;
}

const STATUS_AFTER: Readonly<Record<OrderEvent['type'], OrderStatus | undefined>> = {
  OrderPlaced: 'placed',
  OrderStockReserved: 'stock-reserved',
  OrderLinesCancelled: undefined,
  OrderPaid: 'paid',
  OrderConfirmed: 'confirmed',
  OrderCancelled: 'cancelled',
  OrderShipped: 'shipped',
};

/**
 * `order_summaries`, projected from the order streams. Applied inline, in the transaction
 * that appends the events (so a list never lags behind the order it shows); it is also a
 * `Projection` a `ProjectionRunner` can rebuild from the event store. Each row remembers the
 * stream version it reflects, so applying an event twice changes nothing.
 */
@Injectable()
export class OrderSummaryProjection implements Projection {
  readonly name = 'order-summaries';
  readonly eventTypes = Object.keys(STATUS_AFTER);

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  apply(recorded: RecordedEvent, client: Queryable): Promise<void> {
    return this.applyAll([recorded], client);
  }

  /** Consecutive events of one order (as one append recorded them), in one statement. */
  async applyAll(recorded: readonly RecordedEvent[], client: Queryable): Promise<void> {
    await runWrites(client, [this.writeFor(recorded)]);
  }

  /**
   * The statement that applies consecutive events of one order (as one append recorded them),
   * to send with the append's other writes (`runWrites`): OrderPlaced inserts the row as the
   * events after it leave it, other events are folded into a single update.
   */
  writeFor(recorded: readonly RecordedEvent[]): Write | undefined {
    const events = recorded as readonly (OrderEvent & RecordedEvent)[];
    const [first, ...rest] = events;
    return first?.type === 'OrderPlaced' ? insertWrite(first, rest) : updateWrite(events);
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query('DELETE FROM order_summaries');
  }

  /**
   * A customer's orders, newest first, `limit` per page. `after` is the opaque cursor of the
   * previous page's last row (keyset paging: stable while new orders arrive).
   */
  async listByCustomer(
    customerId: string,
    limit: number,
    after?: { placedAt: string; orderId: string },
  ): Promise<OrderSummary[]> {
    const { rows } = await this.pool.query<{
      order_id: string;
      order_number: string;
      customer_id: string;
      channel: string;
      status: OrderStatus;
      payment_method: string;
      total_minor: string;
      currency: string;
      placed_at: Date;
      updated_at: Date;
    }>(
      `SELECT * FROM order_summaries
        WHERE customer_id = $1
          AND ($2::timestamptz IS NULL OR (placed_at, order_id) < ($2::timestamptz, $3::text))
        ORDER BY placed_at DESC, order_id DESC
        LIMIT $4`,
      [customerId, after?.placedAt ?? null, after?.orderId ?? null, limit],
    );
    return rows.map((row) => ({
      orderId: row.order_id,
      orderNumber: row.order_number,
      customerId: row.customer_id,
      channel: row.channel,
      status: row.status,
      paymentMethod: row.payment_method,
      total: { amountMinor: Number(row.total_minor), currency: row.currency },
      placedAt: row.placed_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    }));
  }
}

/** The row of a placed order as `after` (the events appended with OrderPlaced) leave it. */
function insertWrite(
  placed: Extract<OrderEvent, { type: 'OrderPlaced' }> & RecordedEvent,
  after: readonly (OrderEvent & RecordedEvent)[],
): Write {
  const { data } = placed;
  const folded = foldChanges(after);
  const last = after[after.length - 1] ?? placed;
  return {
    text: `INSERT INTO order_summaries (order_id, order_number, customer_id, channel, status,
             payment_method, total_minor, currency, placed_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (order_id) DO NOTHING`,
    values: [
      data.orderId,
      data.orderNumber,
      data.customerId,
      data.channel,
      folded.status ?? 'placed',
      data.paymentMethod,
      folded.totalMinor ?? data.totals.total.amountMinor,
      data.totals.total.currency,
      data.at,
      last.data.at,
      last.streamVersion,
    ],
  };
}

/**
 * The row after `events` (in stream order): the last status and total they set, the last
 * one's time and version. The version guard skips a row that already reflects them; inline,
 * in the appending transaction, no row can reflect only some of them (they are not
 * committed, so nobody else has seen them).
 */
function updateWrite(events: readonly (OrderEvent & RecordedEvent)[]): Write | undefined {
  const last = events[events.length - 1];
  if (!last) return undefined;
  const folded = foldChanges(events);
  return {
    text: `UPDATE order_summaries
              SET status = COALESCE($2, status), total_minor = COALESCE($3, total_minor),
                  updated_at = $4, version = $5
            WHERE order_id = $1 AND version < $5`,
    values: [
      last.data.orderId,
      folded.status ?? null,
      folded.totalMinor ?? null,
      last.data.at,
      last.streamVersion,
    ],
  };
}

/** The last status and total that `events` set, if any. */
function foldChanges(events: readonly OrderEvent[]): { status?: OrderStatus; totalMinor?: number } {
  let status: OrderStatus | undefined;
  let totalMinor: number | undefined;
  for (const event of events) {
    status = STATUS_AFTER[event.type] ?? status;
    if (event.type === 'OrderLinesCancelled') totalMinor = event.data.newTotals.total.amountMinor;
  }
  return { ...(status && { status }), ...(totalMinor !== undefined && { totalMinor }) };
}
