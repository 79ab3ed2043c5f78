import { Inject, Injectable } from '@nestjs/common';
import type { Queryable, RecordedEvent } from '@fulfil/event-store';
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

  /**
   * Consecutive events of one order (as one append recorded them) in one statement: the
   * OrderPlaced row is inserted, the events after it are folded into a single update.
   */
  async applyAll(recorded: readonly RecordedEvent[], client: Queryable): Promise<void> {
    const events = recorded as readonly (OrderEvent & RecordedEvent)[];
    const [first, ...rest] = events;
    if (first?.type === 'OrderPlaced') {
      await this.insert(first, client);
      await this.update(rest, client);
    } else {
      await this.update(events, client);
    }
  }

  private async insert(
    placed: Extract<OrderEvent, { type: 'OrderPlaced' }> & RecordedEvent,
    client: Queryable,
  ): Promise<void> {
    const { data } = placed;
    await client.query(
      `INSERT INTO order_summaries (order_id, order_number, customer_id, channel, status,
         payment_method, total_minor, currency, placed_at, updated_at, version)
       VALUES ($1, $2, $3, $4, 'placed', $5, $6, $7, $8, $8, $9)
       ON CONFLICT (order_id) DO NOTHING`,
      [
        data.orderId,
        data.orderNumber,
        data.customerId,
        data.channel,
        data.paymentMethod,
        data.totals.total.amountMinor,
        data.totals.total.currency,
        data.at,
        placed.streamVersion,
      ],
    );
  }

  /**
   * The row after `events` (in stream order): the last status and total they set, the last
   * one's time and version. The version guard skips a row that already reflects them; inline,
   * in the appending transaction, no row can reflect only some of them (they are not
   * committed, so nobody else has seen them).
   */
  private async update(
    events: readonly (OrderEvent & RecordedEvent)[],
    client: Queryable,
  ): Promise<void> {
    const last = events[events.length - 1];
    if (!last) return;
    let status: OrderStatus | undefined;
    let total: { amountMinor: number } | undefined;
    for (const event of events) {
      status = STATUS_AFTER[event.type] ?? status;
      if (event.type === 'OrderLinesCancelled') total = event.data.newTotals.total;
    }
    await client.query(
      `UPDATE order_summaries
          SET status = COALESCE($2, status), total_minor = COALESCE($3, total_minor),
              updated_at = $4, version = $5
        WHERE order_id = $1 AND version < $5`,
      [
        last.data.orderId,
        status ?? null,
        total?.amountMinor ?? null,
        last.data.at,
        last.streamVersion,
      ],
    );
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
