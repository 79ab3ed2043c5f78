import type { IntegrationEvent } from '@fulfil/contracts';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import request from 'supertest';
import {
  cny,
  collectOrdersEvents,
  orderBody,
  publish,
  READER,
  startOrdersApp,
  waitFor,
  WRITER,
  type OrdersTestApp,
} from '../testing/orders-test-app.fixture';
import { confirmationDeadlineId } from './order-command.runner';

// The orders service in its flow: inventory and payments are played by this test, producing
// their integration events on their topics; what orders publishes is read from orders.events.

let infra: TestInfrastructure;
let orders: OrdersTestApp;
let collected: Awaited<ReturnType<typeof collectOrdersEvents>>;

beforeAll(async () => {
  infra = await startTestInfrastructure();
  orders = await startOrdersApp(infra);
  collected = await collectOrdersEvents(orders.kafka);
});

afterAll(async () => {
  await collected?.stop();
  await orders?.stop();
  await infra?.stop();
});

async function placeOrder(overrides: Record<string, unknown> = {}) {
  const res = await request(orders.http)
    .post('/orders')
    .set('Authorization', `Bearer ${WRITER}`)
    .send(orderBody(overrides));
  expect(res.status).toBe(201);
  return res.body as { orderId: string; orderNumber: string; customerId: string };
}

const getOrder = async (orderId: string) =>
  (await request(orders.http).get(`/orders/${orderId}`).set('Authorization', `Bearer ${READER}`))
    .body;

/** Waits until orders published `count` events for the order; returns their types. */
const published = async (orderId: string, count: number) => {
  await waitFor(() => collected.of(orderId).length >= count, `${count} events of ${orderId}`);
  return collected.of(orderId);
};
const typesOf = (orderId: string) => collected.of(orderId).map((e) => e.event.type);

/** Waits until the orders consumer has recorded the event (handled or absorbed). */
const consumed = (eventId: string) =>
  waitFor(async () => {
    const { rows } = await orders.pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [eventId]);
    return rows.length === 1;
  }, `inbox row of ${eventId}`);

const EXPIRES = () => new Date(Date.now() + 20 * 60_000).toISOString();

const stockReserved = (
  orderId: string,
  shortages: { lineId: string; skuId: string; requested: number; available: number }[] = [],
): IntegrationEvent => ({
  type: 'fulfil.inventory.StockReserved',
  version: 1,
  data: {
    reservationId: `res-${orderId}`,
    orderId,
    channel: 'mini-program',
    allocations: [
      {
        lineId: 'L1',
        skuId: 'sku-tea',
        locationId: 'wh-sz',
        locationType: 'warehouse',
        quantity: 2,
      },
    ],
    shortages,
    allocatedElsewhere: false,
    expiresAt: EXPIRES(),
  },
});

const payment = (
  type: 'PaymentAuthorised' | 'PaymentCaptured' | 'PaymentFailed' | 'PaymentIntentCreated',
  orderId: string,
  extra: Record<string, unknown>,
  method = 'wechat-pay',
): IntegrationEvent =>
  ({
    type: `fulfil.payments.${type}`,
    version: 1,
    data: { paymentId: `pay-${orderId}`, orderId, method, amount: cny(13700), ...extra },
  }) as IntegrationEvent;

describe('orders in the order flow', () => {
  it('publishes OrderPlaced v1 with CloudEvents headers, keyed by order, without personal data', async () => {
    const order = await placeOrder({ storeId: 'store-sz-7' });
    const [placed] = await published(order.orderId, 1);
    expect(placed!.key).toBe(order.orderId);
    expect(placed!.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'fulfil.orders.OrderPlaced.v1',
      ce_source: '/fulfil/orders',
      ce_subject: order.orderId,
      'content-type': 'application/json',
    });
    expect(placed!.headers.ce_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(placed!.headers.ce_correlationid).toBeTruthy();
    expect(placed!.event.data).toMatchObject({
      orderId: order.orderId,
      orderNumber: order.orderNumber,
      customerId: order.customerId,
      channel: 'mini-program',
      storeId: 'store-sz-7',
      paymentMethod: 'wechat-pay',
      deliveryRegion: { countryCode: 'CN', regionCode: 'CN-GD', cityCode: 'SZ' },
      totals: { subtotal: cny(13400), shipping: cny(800), discount: cny(500), total: cny(13700) },
    });
    expect(placed!.value).not.toContain('Wang Xiaoming');
    expect(placed!.value).not.toContain('Keji Yuan');
  });

  it('confirms a paid order: reserved → paid → confirmed, with what the confirmation needs', async () => {
    const order = await placeOrder();
    const reserved = await publish(orders.producer, stockReserved(order.orderId));
    await published(order.orderId, 2);
    // A redelivery of the same event (same ce_id) changes nothing.
    await publish(orders.producer, stockReserved(order.orderId), reserved);
    const awaitingCustomer = await publish(
      orders.producer,
      payment('PaymentIntentCreated', order.orderId, {
        customerAction: 'qr-code',
        expiresAt: EXPIRES(),
      }),
    );
    const authorised = await publish(
      orders.producer,
      payment('PaymentAuthorised', order.orderId, { providerReference: 'wx-1' }),
    );
    const events = await published(order.orderId, 4);
    // The intent the customer has yet to pay changes no order: skipped before any transaction
    // (`changesNoOrder`), so it leaves no inbox row; the authorisation after it in the same
    // partition does.
    await consumed(authorised);
    const skipped = await orders.pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [
      awaitingCustomer,
    ]);
    expect(skipped.rows).toEqual([]);
    expect(events.map((e) => e.event.type)).toEqual([
      'fulfil.orders.OrderPlaced',
      'fulfil.orders.OrderStockReserved',
      'fulfil.orders.OrderPaid',
      'fulfil.orders.OrderConfirmed',
    ]);
    expect(events[1]!.event.data).toMatchObject({
      reservationId: `res-${order.orderId}`,
      unreservedLines: [],
    });
    expect(events[2]!.event.data).toEqual({
      orderId: order.orderId,
      paymentId: `pay-${order.orderId}`,
      paymentMethod: 'wechat-pay',
      amount: cny(13700),
    });
    expect(events[3]!.headers.ce_type).toBe('fulfil.orders.OrderConfirmed.v1');
    expect(events[3]!.event.data).toEqual({
      orderId: order.orderId,
      orderNumber: order.orderNumber,
      customerId: order.customerId,
      channel: 'mini-program',
      lines: [
        expect.objectContaining({
          lineId: 'L1',
          skuId: 'sku-tea',
          title: 'Tea-tree oil',
          quantity: 2,
          lineTotal: cny(9800),
        }),
        expect.objectContaining({
          lineId: 'L2',
          skuId: 'sku-milk',
          quantity: 3,
          lineTotal: cny(3600),
        }),
      ],
      totals: { subtotal: cny(13400), shipping: cny(800), discount: cny(500), total: cny(13700) },
      paymentMethod: 'wechat-pay',
      paymentStatus: 'paid',
      tracking: [],
    });

    // The capture after the authorisation is absorbed.
    const captured = await publish(
      orders.producer,
      payment('PaymentCaptured', order.orderId, {
        providerReference: 'wx-1',
        capturedTotal: cny(13700),
      }),
    );
    await consumed(captured);
    const view = await getOrder(order.orderId);
    expect(view.status).toBe('confirmed');
    expect(view.paymentStatus).toBe('paid');
    expect(view.timeline.map((e: { type: string; reason: string }) => [e.type, e.reason])).toEqual([
      ['OrderPlaced', 'customer-checkout'],
      ['OrderStockReserved', 'stock-reserved'],
      ['OrderPaid', 'payment-authorised'],
      ['OrderConfirmed', 'payment-received'],
    ]);
    for (const entry of view.timeline) expect(Date.parse(entry.at)).not.toBeNaN();
    expect(typesOf(order.orderId)).toHaveLength(4);

    // Confirmed: the safety deadline is gone.
    const { rows } = await orders.pool.query('SELECT 1 FROM deadlines WHERE deadline_id = $1', [
      confirmationDeadlineId(order.orderId),
    ]);
    expect(rows).toEqual([]);
  });

  it('confirms cash on delivery on the payment intent, without OrderPaid', async () => {
    const order = await placeOrder({ paymentMethod: 'cash-on-delivery' });
    await publish(orders.producer, stockReserved(order.orderId));
    await published(order.orderId, 2);
    await publish(
      orders.producer,
      payment(
        'PaymentIntentCreated',
        order.orderId,
        { customerAction: 'pay-on-delivery', expiresAt: EXPIRES() },
        'cash-on-delivery',
      ),
    );
    const events = await published(order.orderId, 3);
    expect(events[2]!.event.type).toBe('fulfil.orders.OrderConfirmed');
    expect(events[2]!.event.data).toMatchObject({
      paymentMethod: 'cash-on-delivery',
      paymentStatus: 'due-on-delivery',
    });
  });

  it('cancels on PaymentFailed with the reservation to release, then absorbs a late payment', async () => {
    const order = await placeOrder();
    await publish(orders.producer, stockReserved(order.orderId));
    await published(order.orderId, 2);
    await publish(
      orders.producer,
      payment('PaymentFailed', order.orderId, { reason: 'insufficient-funds' }),
    );
    const events = await published(order.orderId, 3);
    expect(events[2]!.event).toEqual({
      type: 'fulfil.orders.OrderCancelled',
      version: 1,
      data: {
        orderId: order.orderId,
        orderNumber: order.orderNumber,
        customerId: order.customerId,
        reason: 'payment-failed',
        initiatedBy: 'system',
        reservationId: `res-${order.orderId}`,
      },
    });
    const late = await publish(
      orders.producer,
      payment('PaymentAuthorised', order.orderId, { providerReference: 'wx-late' }),
    );
    await consumed(late);
    const view = await getOrder(order.orderId);
    expect(view.status).toBe('cancelled');
    expect(view.timeline.at(-1)).toMatchObject({
      type: 'OrderCancelled',
      reason: 'payment-failed',
      detail: 'insufficient-funds',
    });
    expect(typesOf(order.orderId)).toHaveLength(3);
  });

  it('cancels a partially reservable order under the default shortage policy (cancel)', async () => {
    const order = await placeOrder();
    await publish(
      orders.producer,
      stockReserved(order.orderId, [
        { lineId: 'L2', skuId: 'sku-milk', requested: 3, available: 1 },
      ]),
    );
    const events = await published(order.orderId, 2);
    expect(events[1]!.event.data).toMatchObject({
      reason: 'stock-shortage',
      initiatedBy: 'system',
      reservationId: `res-${order.orderId}`,
    });
    expect((await getOrder(order.orderId)).status).toBe('cancelled');
  });

  it('cancels an order with an unknown SKU when inventory fails the reservation', async () => {
    const order = await placeOrder();
    await publish(orders.producer, {
      type: 'fulfil.inventory.StockReservationFailed',
      version: 1,
      data: {
        reservationId: `res-${order.orderId}`,
        orderId: order.orderId,
        reason: 'sku-unknown',
        shortages: [{ lineId: 'L1', skuId: 'sku-tea', requested: 2, available: 0 }],
      },
    });
    const events = await published(order.orderId, 2);
    expect(events[1]!.event.data).toMatchObject({
      reason: 'stock-shortage',
      initiatedBy: 'system',
    });
    expect((await getOrder(order.orderId)).timeline.at(-1)).toMatchObject({
      reason: 'stock-shortage',
      detail: 'sku-unknown',
    });
  });

  it('cancels an unconfirmed order whose reservation expired', async () => {
    const order = await placeOrder();
    await publish(orders.producer, stockReserved(order.orderId));
    await published(order.orderId, 2);
    await publish(orders.producer, {
      type: 'fulfil.inventory.StockReleased',
      version: 1,
      data: {
        reservationId: `res-${order.orderId}`,
        orderId: order.orderId,
        reason: 'reservation-expired',
        allocations: [
          {
            lineId: 'L1',
            skuId: 'sku-tea',
            locationId: 'wh-sz',
            locationType: 'warehouse',
            quantity: 2,
          },
        ],
      },
    });
    const events = await published(order.orderId, 3);
    expect(events[2]!.event.data).toMatchObject({
      reason: 'payment-timed-out',
      reservationId: `res-${order.orderId}`,
    });
  });

  it('cancels an order stuck unconfirmed when its safety deadline passes', async () => {
    const order = await placeOrder();
    const { rows } = await orders.pool.query<{ seconds: number }>(
      `SELECT extract(epoch FROM due_at - $2::timestamptz)::int AS seconds
         FROM deadlines WHERE deadline_id = $1`,
      [confirmationDeadlineId(order.orderId), (await getOrder(order.orderId)).placedAt],
    );
    expect(rows).toEqual([{ seconds: 1800 }]);
    // Let the time pass: move the deadline to now instead of waiting 30 minutes.
    await orders.pool.query(`UPDATE deadlines SET due_at = now() WHERE deadline_id = $1`, [
      confirmationDeadlineId(order.orderId),
    ]);
    const events = await published(order.orderId, 2);
    expect(events[1]!.event.data).toMatchObject({
      reason: 'payment-timed-out',
      initiatedBy: 'system',
    });
    expect((await getOrder(order.orderId)).timeline.at(-1)).toMatchObject({
      detail: 'confirmation-deadline',
    });
  });

  it('dead-letters nothing for absorbed events', async () => {
    const { rows } = await orders.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox');
    expect(rows[0]!.n).toBeGreaterThan(0);
    const admin = orders.kafka.admin();
    await admin.connect();
    try {
      for (const topic of ['inventory.events.dlq', 'payments.events.dlq']) {
        const offsets = await admin.fetchTopicOffsets(topic);
        expect(offsets.every((o) => o.high === '0')).toBe(true);
      }
    } finally {
      await admin.disconnect();
    }
  });
});
