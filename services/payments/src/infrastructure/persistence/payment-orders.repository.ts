import { runWrites, type Queryable } from '@fulfil/event-store';
import type { Money } from '../../domain/money';
import type { PaymentMethod } from '../../domain/payment-method';

/** What payments knows about an order (never personal data: ids and amounts only). */
export interface PaymentOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly method: PaymentMethod;
  readonly amount: Money;
  readonly paymentId: string | null;
  readonly cancelled: boolean;
}

interface Row {
  order_id: string;
  customer_id: string;
  payment_method: PaymentMethod;
  amount_minor: string;
  currency: string;
  payment_id: string | null;
  cancelled_at: Date | null;
}

const COLUMNS =
  'order_id, customer_id, payment_method, amount_minor, currency, payment_id, cancelled_at';

function toOrder(row: Row): PaymentOrder {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    method: row.payment_method,
    amount: { amountMinor: Number(row.amount_minor), currency: row.currency },
    paymentId: row.payment_id,
    cancelled: row.cancelled_at !== null,
  };
}

/**
 * SQL on `payment_orders`; every write goes through the caller's transaction, the writes whose
 * answer nobody reads as `runWrites` (with the transaction's next statement, in its round trip).
 */
export const paymentOrders = {
  /** Remembers a placed order; a repeated `OrderPlaced` changes nothing. */
  async remember(
    client: Queryable,
    order: Omit<PaymentOrder, 'paymentId' | 'cancelled'>,
    placedAt: string,
  ): Promise<void> {
    await runWrites(client, [
      {
        text: `INSERT INTO payment_orders (order_id, customer_id, payment_method, amount_minor, currency, placed_at)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING`,
        values: [
          order.orderId,
          order.customerId,
          order.method,
          order.amount.amountMinor,
          order.amount.currency,
          placedAt,
        ],
      },
    ]);
  },

  /** The order, locked for the rest of the transaction (one intent per order). */
  async lock(client: Queryable, orderId: string): Promise<PaymentOrder | undefined> {
    const { rows } = await client.query<Row>(
      `SELECT ${COLUMNS} FROM payment_orders WHERE order_id = $1 FOR UPDATE`,
      [orderId],
    );
    return rows[0] && toOrder(rows[0]);
  },

  async find(client: Queryable, orderId: string): Promise<PaymentOrder | undefined> {
    const { rows } = await client.query<Row>(
      `SELECT ${COLUMNS} FROM payment_orders WHERE order_id = $1`,
      [orderId],
    );
    return rows[0] && toOrder(rows[0]);
  },

  /**
   * Gives the order its one payment id, unless it has one already or was cancelled: the order,
   * locked for the rest of the transaction; `undefined` when there was nothing to claim. One
   * statement where a lock and an update were two: a concurrent claim waits for the row and
   * then finds `payment_id` set.
   */
  async claimForPayment(
    client: Queryable,
    orderId: string,
    paymentId: string,
  ): Promise<PaymentOrder | undefined> {
    const { rows } = await client.query<Row>(
      `UPDATE payment_orders SET payment_id = $2, updated_at = now()
        WHERE order_id = $1 AND payment_id IS NULL AND cancelled_at IS NULL
        RETURNING ${COLUMNS}`,
      [orderId, paymentId],
    );
    return rows[0] && toOrder(rows[0]);
  },

  async updateAmount(client: Queryable, orderId: string, amount: Money): Promise<void> {
    await runWrites(client, [
      {
        text: `UPDATE payment_orders SET amount_minor = $2, currency = $3, updated_at = now() WHERE order_id = $1`,
        values: [orderId, amount.amountMinor, amount.currency],
      },
    ]);
  },

  async markCancelled(client: Queryable, orderId: string): Promise<void> {
    await runWrites(client, [
      {
        text: `UPDATE payment_orders SET cancelled_at = coalesce(cancelled_at, now()), updated_at = now() WHERE order_id = $1`,
        values: [orderId],
      },
    ]);
  },
};
