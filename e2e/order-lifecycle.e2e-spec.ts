// The order lifecycle on the real platform: `npm start` with orders, inventory and payments as
// their own processes on embedded PostgreSQL and the development broker, the payment provider
// SIMULATED inside payments. The test acts only as a client would — the public HTTP APIs, the
// simulator's checkout, signed webhooks — and reads the three event topics for its assertions.
// Each scenario has its own SKUs, so the scenarios do not depend on each other's stock.
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { deadLetterTopicOf, Topics } from '@fulfil/contracts';
import { EventLog } from './support/event-log';
import { startLocalStack, type LocalStack } from './support/local-stack';
import {
  orderBody,
  PlatformClient,
  until,
  type ApiResponse,
  type Order,
  type PaymentMethod,
} from './support/platform-client';
import { newWebhookSecret, signWebhook } from './support/standard-webhooks';

const WEBHOOK_SECRET = newWebhookSecret();
const GATEWAY_API_KEY = `sk_sim_e2e_${randomBytes(8).toString('hex')}`;
/**
 * Short enough to watch a payment time out, long enough that the other scenarios (which pay
 * as soon as the intent is registered, within a second or two) never race it.
 */
const PAYMENT_TTL_SECONDS = 10;

const WAREHOUSE = 'e2e-wh-1';
const STORE = 'e2e-store-1';
const STOCK = 20;
const SHORT_STOCK = 3;
const QUANTITY = 2;
const UNIT_PRICE = 4900;
const SHIPPING = 1000; // orderBody adds it
const TOTAL = { amountMinor: QUANTITY * UNIT_PRICE + SHIPPING, currency: 'CNY' };

const SKU = {
  'wechat-pay': 'e2e-sku-wechat',
  alipay: 'e2e-sku-alipay',
  'bank-card': 'e2e-sku-card',
  'cash-on-delivery': 'e2e-sku-cod',
  'cash-in-store': 'e2e-sku-store',
  declined: 'e2e-sku-declined',
  timeout: 'e2e-sku-timeout',
  shortage: 'e2e-sku-short',
  cancel: 'e2e-sku-cancel',
  idempotent: 'e2e-sku-idempotent',
  webhooks: 'e2e-sku-webhooks',
  badInput: 'e2e-sku-bad-input',
} as const;

const WATCHED_TOPICS = [Topics.orders, Topics.inventory, Topics.payments];

let stack: LocalStack | undefined;
let api: PlatformClient;
let events: EventLog;

beforeAll(async () => {
  stack = await startLocalStack({
    services: ['orders', 'inventory', 'payments'],
    env: {
      PAYMENT_TTL_SECONDS: String(PAYMENT_TTL_SECONDS),
      RESERVATION_TTL_SECONDS: '600',
      ORDER_CONFIRMATION_TIMEOUT_SECONDS: '900',
      ORDER_SHORTAGE_POLICY: 'cancel',
      PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PAYMENT_GATEWAY_API_KEY: GATEWAY_API_KEY,
      PAYMENT_SIMULATOR_AUTO_PAY: 'off',
    },
  });
  await stack.ready();
  api = new PlatformClient(stack);
  events = await EventLog.start(stack.kafkaBrokers, [
    ...WATCHED_TOPICS,
    ...WATCHED_TOPICS.map(deadLetterTopicOf),
  ]);
  await api.createLocation(WAREHOUSE, 'warehouse');
  await api.createLocation(STORE, 'store');
  for (const [use, skuId] of Object.entries(SKU)) {
    if (use === 'cash-in-store') await api.receiveStock(skuId, STORE, STOCK);
    else await api.receiveStock(skuId, WAREHOUSE, use === 'shortage' ? SHORT_STOCK : STOCK);
  }
}, 240_000);

afterAll(async () => {
  await events?.stop();
  // E2E_STACK_LOG=<file> keeps what the services printed, for diagnosing a failure.
  if (process.env.E2E_STACK_LOG && stack) writeFileSync(process.env.E2E_STACK_LOG, stack.output());
  const result = await stack?.stop();
  if (result === 'timeout') console.warn(`the stack did not stop in time:\n${stack?.tail()}`);
}, 90_000);

const problem = (response: ApiResponse, status: number) => ({
  status: response.status,
  contentType: response.contentType.split(';')[0],
  problemStatus: (response.body as { status?: number } | undefined)?.status,
  expected: status,
});
/** The shape every refusal must have: RFC 9457 problem details with the HTTP status. */
const isProblem = (status: number) => ({
  status,
  contentType: 'application/problem+json',
  problemStatus: status,
  expected: status,
});

const steps = (order: Order) => order.timeline.map((e) => [e.type, e.status, e.reason]);

/** Places, pays at the simulator for online methods, and waits for the confirmation. */
async function placeAndConfirm(skuId: string, paymentMethod: PaymentMethod, extra = {}) {
  const placed = await api.placeOrder(
    orderBody({ skuId, quantity: QUANTITY, unitPriceMinor: UNIT_PRICE, paymentMethod, ...extra }),
  );
  const intent = await api.paymentIntentOf(placed.orderId);
  if (!paymentMethod.startsWith('cash')) await api.payAtSimulator(intent.providerReference!);
  const order = await api.orderReaching(placed.orderId, 'confirmed');
  return { placed, intent, order };
}

describe('order lifecycle on the real stack (orders, inventory, payments)', () => {
  // OrderPaid follows the first of PaymentAuthorised / PaymentCaptured; the providers that
  // capture at once still report the authorisation first, so its reason is payment-authorised.
  const HAPPY = [
    {
      method: 'wechat-pay',
      action: 'qr-code',
      paid: 'payment-authorised',
      confirm: 'payment-received',
      paymentStatus: 'paid',
      captured: true,
    },
    {
      method: 'alipay',
      action: 'redirect',
      paid: 'payment-authorised',
      confirm: 'payment-received',
      paymentStatus: 'paid',
      captured: true,
    },
    {
      method: 'bank-card',
      action: 'redirect',
      paid: 'payment-authorised',
      confirm: 'payment-received',
      paymentStatus: 'paid',
      captured: false,
    },
    {
      method: 'cash-on-delivery',
      action: 'pay-on-delivery',
      paid: undefined,
      confirm: 'cash-on-delivery',
      paymentStatus: 'due-on-delivery',
      captured: false,
    },
    {
      method: 'cash-in-store',
      action: 'pay-in-store',
      paid: undefined,
      confirm: 'cash-in-store',
      paymentStatus: 'due-in-store',
      captured: false,
    },
  ] as const;

  it.each(HAPPY)(
    '$method: placed → confirmed, stock taken, the right events published',
    async ({ method, action, paid, confirm, paymentStatus, captured }) => {
      const skuId = SKU[method];
      const inStore = method === 'cash-in-store';
      const before = await api.availability(skuId);
      const { placed, intent, order } = await placeAndConfirm(
        skuId,
        method,
        inStore ? { channel: 'store-pos', storeId: STORE } : {},
      );
      const { orderId } = placed;
      expect(placed.status).toBe('placed');

      // The timeline, read from the order's event stream.
      expect(order.paymentStatus).toBe(paymentStatus);
      expect(steps(order)).toEqual([
        ['OrderPlaced', 'placed', 'customer-checkout'],
        ['OrderStockReserved', 'stock-reserved', 'stock-reserved'],
        ...(paid ? [['OrderPaid', 'paid', paid]] : []),
        ['OrderConfirmed', 'confirmed', confirm],
      ]);

      // Stock: reserved where the order prefers (the store for cash in store), firm once confirmed.
      const after = await api.availability(skuId);
      expect(after.available).toBe(before.available - QUANTITY);
      if (inStore) {
        expect(after.locations.find((l) => l.locationId === STORE)?.reserved).toBe(QUANTITY);
      }
      const [reservation] = await until(
        `reservation of ${orderId} firm`,
        () => api.reservationsOf(orderId),
        (found) => found[0]?.status === 'firm',
      );
      expect(reservation?.reservationId).toBe(order.reservationId);

      // OrderConfirmed v1 carries what the confirmation message needs (R-ORD-4).
      const confirmed = await events.waitFor('OrderConfirmed', { orderId });
      expect(confirmed.version).toBe(1);
      expect(confirmed.data).toEqual({
        orderId,
        orderNumber: order.orderNumber,
        customerId: order.customerId,
        channel: inStore ? 'store-pos' : 'web',
        ...(inStore ? { storeId: STORE } : {}),
        lines: [
          expect.objectContaining({
            lineId: 'L1',
            skuId,
            quantity: QUANTITY,
            unitPrice: { amountMinor: UNIT_PRICE, currency: 'CNY' },
            lineTotal: { amountMinor: QUANTITY * UNIT_PRICE, currency: 'CNY' },
          }),
        ],
        totals: order.totals,
        paymentMethod: method,
        paymentStatus,
        tracking: [],
      });
      expect(order.totals.total).toEqual(TOTAL);
      expect(events.namesFor(orderId, Topics.orders)).toEqual([
        'OrderPlaced',
        'OrderStockReserved',
        ...(paid ? ['OrderPaid'] : []),
        'OrderConfirmed',
      ]);
      // The log reads each topic on its own, so wait for what must be there before counting.
      await events.waitFor('StockReserved', { orderId });
      expect(events.find('StockReserved', { orderId })).toHaveLength(1);

      // Payments: the intent with the method's customer action, then the provider's result.
      // One payment's events share a partition, so once its last expected event is in, a
      // capture that should not exist (card, cash) would have arrived too.
      const { paymentId } = intent;
      await events.waitFor('PaymentIntentCreated', { orderId });
      if (!method.startsWith('cash')) await events.waitFor('PaymentAuthorised', { paymentId });
      if (captured) await events.waitFor('PaymentCaptured', { paymentId });
      const created = events.find('PaymentIntentCreated', { orderId });
      expect(created.map((e) => [e.data.customerAction, e.data.amount])).toEqual([[action, TOTAL]]);
      const authorised = events.find('PaymentAuthorised', { paymentId });
      const capturedEvents = events.find('PaymentCaptured', { paymentId });
      expect(authorised).toHaveLength(method.startsWith('cash') ? 0 : 1);
      expect(capturedEvents.map((e) => e.data.capturedTotal)).toEqual(captured ? [TOTAL] : []);
      const payment = await api.payment(paymentId);
      expect(payment.status).toBe(
        captured ? 'captured' : method === 'bank-card' ? 'authorised' : 'pending',
      );
    },
    60_000,
  );

  it('cancels the order and releases the stock when the payment is declined', async () => {
    const skuId = SKU.declined;
    const before = await api.availability(skuId);
    const placed = await api.placeOrder(
      orderBody({ skuId, quantity: QUANTITY, paymentMethod: 'wechat-pay' }),
    );
    const intent = await api.paymentIntentOf(placed.orderId);
    await api.payAtSimulator(intent.providerReference!, 'declined');

    const order = await api.orderReaching(placed.orderId, 'cancelled');
    expect(order.timeline.at(-1)).toMatchObject({
      type: 'OrderCancelled',
      status: 'cancelled',
      reason: 'payment-failed',
    });
    const failed = await events.waitFor('PaymentFailed', { paymentId: intent.paymentId });
    expect(failed.data.reason).toBe('declined');
    const cancelled = await events.waitFor('OrderCancelled', { orderId: placed.orderId });
    expect(cancelled.data).toMatchObject({
      reason: 'payment-failed',
      initiatedBy: 'system',
      reservationId: order.reservationId,
    });
    const released = await events.waitFor('StockReleased', { orderId: placed.orderId });
    expect(released.data.reason).toBe('payment-failed');
    expect((await api.availabilityOnceReleased(skuId)).available).toBe(before.available);

    expect(events.find('PaymentCaptured', { paymentId: intent.paymentId })).toEqual([]);
    expect(events.find('OrderPaid', { orderId: placed.orderId })).toEqual([]);
    expect((await api.payment(intent.paymentId)).status).toBe('failed');
  }, 60_000);

  it('times the payment out when the customer never pays, then cancels and releases', async () => {
    const skuId = SKU.timeout;
    const before = await api.availability(skuId);
    const placed = await api.placeOrder(
      orderBody({ skuId, quantity: QUANTITY, paymentMethod: 'alipay' }),
    );
    const intent = await api.paymentIntentOf(placed.orderId);
    expect((await api.availability(skuId)).available).toBe(before.available - QUANTITY);

    const timedOut = await events.waitFor(
      'PaymentTimedOut',
      { paymentId: intent.paymentId },
      (PAYMENT_TTL_SECONDS + 30) * 1000,
    );
    expect(timedOut.data.orderId).toBe(placed.orderId);
    const order = await api.orderReaching(placed.orderId, 'cancelled');
    expect(order.timeline.at(-1)).toMatchObject({
      type: 'OrderCancelled',
      reason: 'payment-timed-out',
    });
    const cancelled = await events.waitFor('OrderCancelled', { orderId: placed.orderId });
    expect(cancelled.data).toMatchObject({ reason: 'payment-timed-out', initiatedBy: 'system' });
    const released = await events.waitFor('StockReleased', { orderId: placed.orderId });
    expect(released.data.reason).toBe('payment-timed-out');
    expect((await api.availabilityOnceReleased(skuId)).available).toBe(before.available);

    // The intent was also cancelled at the (simulated) provider, so it cannot be paid late.
    const atProvider = await api.expect(
      200,
      'simulator',
      'GET',
      `/v1/payments/${intent.providerReference}`,
      { auth: GATEWAY_API_KEY },
    );
    expect(atProvider.body.status).toBe('cancelled');
    expect((await api.payment(intent.paymentId)).status).toBe('timed-out');
  }, 90_000);

  it('cancels an order for more than is in stock and leaves nothing reserved', async () => {
    const skuId = SKU.shortage;
    const before = await api.availability(skuId);
    expect(before.available).toBe(SHORT_STOCK);
    const placed = await api.placeOrder(
      orderBody({ skuId, quantity: SHORT_STOCK + 2, paymentMethod: 'wechat-pay' }),
    );

    const order = await api.orderReaching(placed.orderId, 'cancelled');
    expect(order.timeline.at(-1)).toMatchObject({
      type: 'OrderCancelled',
      reason: 'stock-shortage',
    });
    const cancelled = await events.waitFor('OrderCancelled', { orderId: placed.orderId });
    expect(cancelled.data).toMatchObject({ reason: 'stock-shortage', initiatedBy: 'system' });

    const after = await api.availabilityOnceReleased(skuId);
    expect([after.available, after.reserved]).toEqual([SHORT_STOCK, 0]);
    for (const reservation of await api.reservationsOf(placed.orderId)) {
      expect(reservation.held).toEqual([]);
    }
    expect(events.namesFor(placed.orderId, Topics.orders)).toEqual([
      'OrderPlaced',
      'OrderCancelled',
    ]);
    expect(await api.paymentsOf(placed.orderId)).toEqual([]);
  }, 60_000);

  it('cancels a paid order before shipment: stock released, money refunded in full', async () => {
    const skuId = SKU.cancel;
    const before = await api.availability(skuId);
    const { placed, intent } = await placeAndConfirm(skuId, 'wechat-pay');
    await events.waitFor('PaymentCaptured', { paymentId: intent.paymentId });

    const cancel = await api.expect<Order>(
      200,
      'orders',
      'POST',
      `/orders/${placed.orderId}/cancel`,
      { body: { reason: 'customer-request' } },
    );
    expect(cancel.body.status).toBe('cancelled');
    const cancelled = await events.waitFor('OrderCancelled', { orderId: placed.orderId });
    expect(cancelled.data).toMatchObject({
      reason: 'customer-request',
      initiatedBy: 'customer',
      refundDue: TOTAL,
    });

    const refund = await events.waitFor('RefundIssued', { paymentId: intent.paymentId });
    expect(refund.data).toMatchObject({
      orderId: placed.orderId,
      kind: 'full',
      amount: TOTAL,
      refundedTotal: TOTAL,
      capturedTotal: TOTAL,
    });
    const released = await events.waitFor('StockReleased', { orderId: placed.orderId });
    expect(released.data.reason).toBe('order-cancelled');
    expect((await api.availabilityOnceReleased(skuId)).available).toBe(before.available);
    const payment = await until(
      'refund recorded',
      () => api.payment(intent.paymentId),
      (p) => p.refundedTotal.amountMinor === TOTAL.amountMinor,
    );
    expect(payment.refunds.map((r) => [r.kind, r.status, r.amount])).toEqual([
      ['full', 'issued', TOTAL],
    ]);

    // A second cancel is refused, and changes nothing.
    const again = await api.call('orders', 'POST', `/orders/${placed.orderId}/cancel`, {
      body: { reason: 'customer-request' },
    });
    expect(problem(again, 409)).toEqual(isProblem(409));
    expect(events.find('RefundIssued', { paymentId: intent.paymentId })).toHaveLength(1);
  }, 60_000);

  it('places an order once for a retried POST /orders; another body under the key is 422', async () => {
    const key = randomUUID();
    const body = orderBody({
      skuId: SKU.idempotent,
      quantity: 1,
      paymentMethod: 'cash-on-delivery',
    });
    const first = await api.expect<Order>(201, 'orders', 'POST', '/orders', {
      body,
      headers: { 'idempotency-key': key },
    });
    const retry = await api.expect<Order>(201, 'orders', 'POST', '/orders', {
      body,
      headers: { 'idempotency-key': key },
    });
    expect(retry.body.orderId).toBe(first.body.orderId);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');

    const other = await api.call('orders', 'POST', '/orders', {
      body: { ...body, lines: [{ ...body.lines[0]!, quantity: 3 }] },
      headers: { 'idempotency-key': key },
    });
    expect(problem(other, 422)).toEqual(isProblem(422));
    expect(other.body.type).toMatch(/idempotency-key-reused$/);

    // The one order goes its way; nothing else was placed for the customer.
    await api.orderReaching(first.body.orderId, 'confirmed');
    await events.waitFor('OrderConfirmed', { orderId: first.body.orderId });
    expect(events.find('OrderPlaced', { orderId: first.body.orderId })).toHaveLength(1);
    expect(events.find('OrderPlaced', { customerId: body.customerId })).toHaveLength(1);
    const listed = await api.ordersOf(body.customerId);
    expect(listed.map((o) => o.orderId)).toEqual([first.body.orderId]);
    const availability = await api.availability(SKU.idempotent);
    expect(availability.available).toBe(STOCK - 1);
  }, 60_000);

  it('refuses forged webhooks and applies a duplicated genuine one once', async () => {
    const placed = await api.placeOrder(
      orderBody({ skuId: SKU.webhooks, quantity: QUANTITY, paymentMethod: 'wechat-pay' }),
    );
    const intent = await api.paymentIntentOf(placed.orderId);
    const { paymentId } = intent;
    const before = await api.payment(paymentId);
    // What the provider would send on payment: its own view of the payment, now captured.
    const atProvider = await api.expect(
      200,
      'simulator',
      'GET',
      `/v1/payments/${intent.providerReference}`,
      { auth: GATEWAY_API_KEY },
    );
    const body = JSON.stringify({
      type: 'payment.captured',
      createdAt: new Date().toISOString(),
      data: { ...atProvider.body, status: 'captured', capturedAmount: atProvider.body.amount },
    });
    const post = (payload: string, headers: Record<string, string>) =>
      api.call('payments', 'POST', '/webhooks/wechat-pay', {
        body: payload,
        headers,
        auth: false,
      });

    const forged = [
      await post(body, signWebhook(newWebhookSecret(), `msg_${randomUUID()}`, body)),
      await post(
        body.replace(`"value":${TOTAL.amountMinor}`, '"value":1'),
        signWebhook(WEBHOOK_SECRET, `msg_${randomUUID()}`, body),
      ),
      await post(body, {}),
      await post(
        body,
        signWebhook(WEBHOOK_SECRET, `msg_${randomUUID()}`, body, new Date(Date.now() - 3_600_000)),
      ),
    ];
    for (const response of forged) expect(problem(response, 401)).toEqual(isProblem(401));
    const unchanged = await api.payment(paymentId);
    expect([unchanged.status, unchanged.history]).toEqual(['pending', before.history]);
    expect((await api.order(placed.orderId)).status).toBe('stock-reserved');

    const genuine = signWebhook(WEBHOOK_SECRET, `msg_${randomUUID()}`, body);
    const first = await post(body, genuine);
    const replay = await post(body, genuine);
    expect([first.status, first.body]).toEqual([200, { status: 'accepted' }]);
    expect([replay.status, replay.body]).toEqual([200, { status: 'duplicate' }]);

    const order = await api.orderReaching(placed.orderId, 'confirmed');
    expect(order.paymentStatus).toBe('paid');
    const payment = await api.payment(paymentId);
    expect(payment.status).toBe('captured');
    expect(payment.history.filter((h) => h.type === 'PaymentCaptured')).toHaveLength(1);
    await events.waitFor('OrderConfirmed', { orderId: placed.orderId });
    await events.waitFor('PaymentCaptured', { paymentId });
    expect(events.find('PaymentCaptured', { paymentId })).toHaveLength(1);
    expect(events.find('OrderPaid', { orderId: placed.orderId })).toHaveLength(1);
  }, 60_000);

  describe('bad input: problem details, nothing stored', () => {
    const expectRefused = async (
      cases: ReadonlyArray<readonly [string, Promise<ApiResponse>, number]>,
    ) => {
      const outcomes = await Promise.all(
        cases.map(async ([what, response, status]) => ({
          what,
          ...problem(await response, status),
        })),
      );
      expect(outcomes).toEqual(cases.map(([what, , status]) => ({ what, ...isProblem(status) })));
    };

    it('orders: wrong types, negative quantities, unknown fields, mixed currencies, no lines', async () => {
      const customerId = `e2e-bad-input-${randomUUID()}`;
      const valid = orderBody({
        skuId: SKU.badInput,
        quantity: 1,
        paymentMethod: 'wechat-pay',
        customerId,
      });
      const line = valid.lines[0]!;
      const post = (body: unknown) => api.call('orders', 'POST', '/orders', { body });
      await expectRefused([
        ['quantity as a string', post({ ...valid, lines: [{ ...line, quantity: '2' }] }), 400],
        ['negative quantity', post({ ...valid, lines: [{ ...line, quantity: -1 }] }), 400],
        ['fractional quantity', post({ ...valid, lines: [{ ...line, quantity: 1.5 }] }), 400],
        ['unknown top-level field', post({ ...valid, coupon: 'FREE' }), 400],
        ['unknown nested field', post({ ...valid, lines: [{ ...line, colour: 'red' }] }), 400],
        [
          'shipping in another currency',
          post({ ...valid, shipping: { amountMinor: 1, currency: 'USD' } }),
          400,
        ],
        ['no lines', post({ ...valid, lines: [] }), 400],
        [
          'negative price',
          post({ ...valid, lines: [{ ...line, unitPrice: { amountMinor: -5, currency: 'CNY' } }] }),
          400,
        ],
        ['unknown payment method', post({ ...valid, paymentMethod: 'barter' }), 400],
        [
          'a body that is not JSON',
          api.call('orders', 'POST', '/orders', { body: '{"lines": [' }),
          400,
        ],
        ['order id not a UUID', api.call('orders', 'GET', '/orders/not-a-uuid'), 400],
        [
          'unknown cancel reason',
          api.call('orders', 'POST', `/orders/${randomUUID()}/cancel`, {
            body: { reason: 'bored' },
          }),
          400,
        ],
        ['list without customerId', api.call('orders', 'GET', '/orders'), 400],
      ]);
      expect(await api.ordersOf(customerId)).toEqual([]);
      expect(events.find('OrderPlaced', { customerId })).toEqual([]);
    });

    it('inventory: locations, receipts, adjustments, thresholds, availability', async () => {
      const locationsBefore = (await api.expect(200, 'inventory', 'GET', '/locations')).body;
      const stockBefore = await api.availability(SKU.badInput);
      const neverStocked = `e2e-sku-never-${randomUUID()}`;
      const post = (path: string, body: unknown) => api.call('inventory', 'POST', path, { body });
      await expectRefused([
        [
          'location of an unknown type',
          post('/locations', { locationId: 'e2e-x', type: 'depot', name: 'X' }),
          400,
        ],
        [
          'location with an unknown field',
          post('/locations', { locationId: 'e2e-y', type: 'store', name: 'Y', manager: 'Z' }),
          400,
        ],
        [
          'receipt of a negative quantity',
          post('/stock/receipts', { skuId: SKU.badInput, locationId: WAREHOUSE, quantity: -5 }),
          400,
        ],
        [
          'receipt quantity as a string',
          post('/stock/receipts', { skuId: SKU.badInput, locationId: WAREHOUSE, quantity: '5' }),
          400,
        ],
        [
          'receipt with an unknown field',
          post('/stock/receipts', {
            skuId: SKU.badInput,
            locationId: WAREHOUSE,
            quantity: 5,
            price: 1,
          }),
          400,
        ],
        [
          'receipt at an unknown location',
          post('/stock/receipts', { skuId: neverStocked, locationId: 'e2e-nowhere', quantity: 5 }),
          422,
        ],
        [
          'adjustment of zero',
          post('/stock/adjustments', {
            skuId: SKU.badInput,
            locationId: WAREHOUSE,
            delta: 0,
            reason: 'found',
          }),
          400,
        ],
        [
          'adjustment with an unknown reason',
          post('/stock/adjustments', {
            skuId: SKU.badInput,
            locationId: WAREHOUSE,
            delta: 1,
            reason: 'magic',
          }),
          400,
        ],
        [
          'negative threshold',
          api.call('inventory', 'PUT', `/stock/${SKU.badInput}/locations/${WAREHOUSE}/threshold`, {
            body: { threshold: -1 },
          }),
          400,
        ],
        ['availability without SKUs', api.call('inventory', 'GET', '/availability?skuIds='), 400],
      ]);
      expect((await api.expect(200, 'inventory', 'GET', '/locations')).body).toEqual(
        locationsBefore,
      );
      expect(await api.availability(SKU.badInput)).toEqual(stockBefore);
      const unknown = await api.call('inventory', 'GET', `/availability/${neverStocked}`);
      expect(problem(unknown, 404)).toEqual(isProblem(404));
    });

    it('payments: queries, refunds (types, currency, amount), cash receipts', async () => {
      const { intent } = await placeAndConfirm(SKU.badInput, 'wechat-pay');
      const { paymentId } = intent;
      const before = await until(
        'payment captured',
        () => api.payment(paymentId),
        (p) => p.status === 'captured',
      );
      const refund = (body: unknown) =>
        api.call('payments', 'POST', `/payments/${paymentId}/refunds`, { body });
      const valid = {
        amount: { amountMinor: 100, currency: 'CNY' },
        kind: 'partial',
        reason: 'e2e',
      };
      await expectRefused([
        ['payments without orderId', api.call('payments', 'GET', '/payments'), 400],
        ['payment id not a UUID', api.call('payments', 'GET', '/payments/not-a-uuid'), 400],
        [
          'refund of a negative amount',
          refund({ ...valid, amount: { amountMinor: -100, currency: 'CNY' } }),
          400,
        ],
        [
          'refund amount as a string',
          refund({ ...valid, amount: { amountMinor: '100', currency: 'CNY' } }),
          400,
        ],
        ['refund with an unknown field', refund({ ...valid, iban: 'x' }), 400],
        ['refund of an unknown kind', refund({ ...valid, kind: 'gift' }), 400],
        [
          'refund in another currency',
          refund({ ...valid, amount: { amountMinor: 100, currency: 'USD' } }),
          422,
        ],
        [
          'refund above captured',
          refund({ ...valid, amount: { amountMinor: TOTAL.amountMinor + 1, currency: 'CNY' } }),
          422,
        ],
        [
          'cash receipt without a reference',
          api.call('payments', 'POST', `/payments/${paymentId}/cash-received`, {
            body: { amount: TOTAL },
          }),
          400,
        ],
      ]);
      const after = await api.payment(paymentId);
      expect(after).toEqual(before);
      expect(after.refunds).toEqual([]);
      expect(events.find('RefundIssued', { paymentId })).toEqual([]);
    }, 60_000);
  });

  it('published only events that meet their contracts, and dead-lettered nothing', () => {
    expect(events.violations).toEqual([]);
    const deadLetters = events.events.filter((e) => e.topic.endsWith('.dlq'));
    expect(deadLetters).toEqual([]);
  });
});
