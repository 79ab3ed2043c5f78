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

  async apply(recorded: RecordedEvent, client: Queryable): Promise<void> {
    const event = recorded as unknown as OrderEvent & RecordedEvent;
    if (event.type === 'OrderPlaced') {
      const { data } = event;
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
          recorded.streamVersion,
        ],
      );
      return;
    }
    const total = event.type === 'OrderLinesCancelled' ? event.data.newTotals.total : undefined;
    await client.query(
      `UPDATE order_summaries
          SET status = COALESCE($2, status), total_minor = COALESCE($3, total_minor),
              updated_at = $4, version = $5
        WHERE order_id = $1 AND version < $5`,
      [
        event.data.orderId,
        STATUS_AFTER[event.type] ?? null,
        total?.amountMinor ?? null,
        event.data.at,
        recorded.streamVersion,
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
