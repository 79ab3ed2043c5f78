import { randomUUID } from 'node:crypto';
import { Topics, type IntegrationEvent } from '@fulfil/contracts';
import { freePort, startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import { runWrites } from '@fulfil/event-store';
import { DeadlineScheduler } from '@fulfil/messaging';
import { paymentTasks } from './application/payment-deadlines';
import { paymentOrders } from './infrastructure/persistence/payment-orders.repository';
import { signWebhook } from './infrastructure/webhooks/standard-webhooks';
import {
  httpClient,
  orderPlaced,
  orderStockReserved,
  publish,
  publishedFor,
  READER,
  SECRET,
  startPaymentsHarness,
  waitFor,
  type PaymentsHarness,
} from './testing/payments-test-kit';

let infra: TestInfrastructure;
let harness: PaymentsHarness;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  infra = await startTestInfrastructure();
  harness = await startPaymentsHarness(infra, await freePort());
  http = httpClient(harness);
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await infra?.stop();
});

/** Places and reserves an order; returns its payment once registered at the provider. */
async function paymentFor(method: Parameters<typeof orderPlaced>[1], amountMinor = 12_900) {
  const orderId = randomUUID();
  await publish(harness.producer, Topics.orders, orderPlaced(orderId, method, amountMinor));
  await publish(harness.producer, Topics.orders, orderStockReserved(orderId));
  const online = method === 'wechat-pay' || method === 'alipay' || method === 'bank-card';
  const payment = await waitFor(async () => {
    const { body } = await http.get(`/payments?orderId=${orderId}`);
    const found = body.items?.[0];
    return found && (!online || found.providerReference) ? found : undefined;
  }, `the payment of order ${orderId}`);
  return { orderId, payment };
}

async function streamEvents(paymentId: string): Promise<string[]> {
  const { rows } = await harness.pool.query<{ event_type: string }>(
    'SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version',
    [`payment-${paymentId}`],
  );
  return rows.map((row) => row.event_type);
}

describe('payments service', () => {
  it('creates one intent per order, even when OrderStockReserved comes twice', async () => {
    const orderId = randomUUID();
    await publish(harness.producer, Topics.orders, orderPlaced(orderId, 'wechat-pay'));
    await publish(harness.producer, Topics.orders, orderStockReserved(orderId));
    await publish(harness.producer, Topics.orders, orderStockReserved(orderId)); // another ce_id
    await waitFor(
      () => publishedFor(harness, orderId).includes('PaymentIntentCreated'),
      'the intent',
    );
    const payment = await waitFor(async () => {
      const { body } = await http.get(`/payments?orderId=${orderId}`);
      return body.items[0]?.providerReference ? body.items[0] : undefined;
    }, 'the provider registration');
    expect(payment).toMatchObject({
      orderId,
      method: 'wechat-pay',
      status: 'pending',
      amount: { amountMinor: 12_900, currency: 'CNY' },
      customerAction: { type: 'qr-code', qrPayload: expect.stringMatching(/^weixin:\/\//) },
    });
    // Both reservations are through the inbox once the orders consumer committed the second.
    await waitFor(async () => {
      const { rows } = await harness.pool.query(
        `SELECT 1 FROM inbox WHERE event_type LIKE 'fulfil.orders.OrderStockReserved%'`,
      );
      return rows.length >= 2;
    }, 'both reservations consumed');
    const { rows } = await harness.pool.query(
      'SELECT payment_id FROM payment_orders WHERE order_id = $1',
      [orderId],
    );
    expect(rows).toHaveLength(1);
    expect(publishedFor(harness, orderId)).toEqual(['PaymentIntentCreated']);
    const intent = harness.published.find(
      (r) => (r.event.data as { orderId: string }).orderId === orderId,
    )!;
    expect(intent.envelope.subject).toBe(payment.paymentId);
    expect(intent.event.data).toMatchObject({ customerAction: 'qr-code', method: 'wechat-pay' });
  });

  it('WeChat Pay: paying at the simulator sends a signed webhook → authorised and captured', async () => {
    const { orderId, payment } = await paymentFor('wechat-pay');
    const paid = await http.pay(payment.providerReference, 'succeeded');
    expect(paid.status).toBe(200);
    await waitFor(
      () => publishedFor(harness, orderId).includes('PaymentCaptured'),
      'PaymentCaptured on payments.events',
    );
    expect(publishedFor(harness, orderId)).toEqual([
      'PaymentIntentCreated',
      'PaymentAuthorised',
      'PaymentCaptured',
    ]);
    const { body } = await http.get(`/payments/${payment.paymentId}`);
    expect(body).toMatchObject({
      status: 'captured',
      capturedTotal: { amountMinor: 12_900, currency: 'CNY' },
      refundable: { amountMinor: 12_900, currency: 'CNY' },
    });
    expect(body.history.map((h: { type: string }) => h.type)).toEqual([
      'PaymentIntentCreated',
      'PaymentRegisteredWithProvider',
      'PaymentAuthorised',
      'PaymentCaptured',
    ]);
    const { rows } = await harness.pool.query(
      `SELECT status FROM payment_webhooks WHERE provider = 'wechat-pay' AND convert_from(raw_body, 'UTF8') LIKE $1`,
      [`%${payment.providerReference}%`],
    );
    expect(rows).toEqual([{ status: 'processed' }]);
  });

  it('a paid intent leaves no expiry deadline behind; an unpaid one keeps it', async () => {
    const expiry = async (paymentId: string) =>
      (
        await harness.pool.query(`SELECT kind FROM deadlines WHERE deadline_id = $1`, [
          `expire:${paymentId}`,
        ])
      ).rows;
    const paid = await paymentFor('wechat-pay');
    const unpaid = await paymentFor('wechat-pay');
    await http.pay(paid.payment.providerReference, 'succeeded');
    await waitFor(
      () => publishedFor(harness, paid.orderId).includes('PaymentCaptured'),
      'PaymentCaptured on payments.events',
    );
    expect(await expiry(paid.payment.paymentId)).toEqual([]);
    expect(await expiry(unpaid.payment.paymentId)).toEqual([{ kind: 'payments.expire' }]);
  });

  it('a declined payment fails with the reason', async () => {
    const { orderId, payment } = await paymentFor('alipay');
    await http.pay(payment.providerReference, 'insufficient-funds');
    await waitFor(() => publishedFor(harness, orderId).includes('PaymentFailed'), 'PaymentFailed');
    const failed = harness.published.find(
      (r) =>
        r.event.type === 'fulfil.payments.PaymentFailed' &&
        (r.event.data as { orderId: string }).orderId === orderId,
    )!;
    expect(failed.event.data).toMatchObject({
      reason: 'insufficient-funds',
      providerCode: 'insufficient_funds',
    });
  });

  describe('webhooks', () => {
    function authorisation(payment: { paymentId: string; providerReference: string }) {
      return JSON.stringify({
        type: 'payment.authorised',
        createdAt: new Date().toISOString(),
        data: {
          providerReference: payment.providerReference,
          merchantReference: payment.paymentId,
          method: 'bank-card',
          captureMode: 'manual',
          status: 'authorised',
          amount: { value: 12_900, currency: 'CNY' },
          capturedAmount: { value: 0, currency: 'CNY' },
          refundedAmount: { value: 0, currency: 'CNY' },
          refunds: [],
          payUrl: 'http://simulator/checkout',
          createdAt: new Date().toISOString(),
        },
      });
    }

    it('refuses a forged, an unsigned and a stale webhook with 401 and changes nothing', async () => {
      const { payment } = await paymentFor('bank-card');
      const body = authorisation(payment);
      const before = await streamEvents(payment.paymentId);
      const forgedSecret = `whsec_${Buffer.from('not-the-real-secret-at-all').toString('base64')}`;
      const forged = await http.postRaw(
        '/webhooks/bank-card',
        body,
        signWebhook(forgedSecret, 'msg_forged', body),
      );
      const tampered = await http.postRaw(
        '/webhooks/bank-card',
        body.replace('12900', '1'),
        signWebhook(SECRET, 'msg_tampered', body),
      );
      const unsigned = await http.postRaw('/webhooks/bank-card', body, {});
      const stale = await http.postRaw(
        '/webhooks/bank-card',
        body,
        signWebhook(SECRET, 'msg_stale', body, new Date(Date.now() - 10 * 60_000)),
      );
      for (const answer of [forged, tampered, unsigned, stale]) {
        expect(answer.status).toBe(401);
        expect(answer.body.type).toBe('https://fulfil.dev/problems/unauthorized');
      }
      expect(stale.body.reason).toBe('stale');
      expect(unsigned.body.reason).toBe('missing-headers');
      expect(await streamEvents(payment.paymentId)).toEqual(before);
      const { rows } = await harness.pool.query(
        `SELECT 1 FROM payment_webhooks WHERE webhook_id IN ('msg_forged', 'msg_tampered', 'msg_stale')`,
      );
      expect(rows).toEqual([]);
    });

    it('applies the same webhook delivered twice once; the card is captured when the order ships', async () => {
      const { orderId, payment } = await paymentFor('bank-card');
      // The customer authorises at the checkout (the simulator then notifies on its own too).
      await http.pay(payment.providerReference, 'succeeded');
      const body = authorisation(payment);
      const headers = signWebhook(SECRET, `msg_${randomUUID()}`, body);
      const first = await http.postRaw('/webhooks/bank-card', body, headers);
      const second = await http.postRaw('/webhooks/bank-card', body, headers);
      expect(first).toEqual({ status: 200, body: { status: 'accepted' } });
      expect(second).toEqual({ status: 200, body: { status: 'duplicate' } });
      await waitFor(
        () =>
          harness.simulator.instance!.deliveries.some(
            (d) => d.type === 'payment.authorised' && d.status === 200,
          ),
        "the simulator's own delivery",
      );
      expect(
        (await streamEvents(payment.paymentId)).filter((t) => t === 'PaymentAuthorised'),
      ).toHaveLength(1);
      expect(publishedFor(harness, orderId)).not.toContain('PaymentCaptured');

      await publish(harness.producer, Topics.orders, {
        type: 'fulfil.orders.OrderShipped',
        version: 1,
        data: {
          orderId,
          customerId: 'cust-1',
          shipment: { shipmentId: 'ship-1', carrier: 'sf-express', trackingNumber: 'SF1' },
          lines: [{ skuId: 'sku-1', quantity: 1 }],
          fullyShipped: true,
          tracking: [{ shipmentId: 'ship-1', carrier: 'sf-express', trackingNumber: 'SF1' }],
        },
      } as IntegrationEvent);
      await waitFor(
        () => publishedFor(harness, orderId).includes('PaymentCaptured'),
        'capture on shipment',
      );
      expect(publishedFor(harness, orderId)).toEqual([
        'PaymentIntentCreated',
        'PaymentAuthorised',
        'PaymentCaptured',
      ]);
      expect((await http.simulatorPayment(payment.providerReference)).body.status).toBe('captured');
    });

    it("stores one for another method's payment as rejected and one for an unknown payment as ignored", async () => {
      const { payment } = await paymentFor('bank-card');
      const before = await streamEvents(payment.paymentId);
      const body = authorisation(payment);
      const unknownBody = authorisation({ paymentId: randomUUID(), providerReference: 'sim_x' });
      const [wrongId, unknownId] = [`msg_${randomUUID()}`, `msg_${randomUUID()}`];
      const answers = [
        await http.postRaw('/webhooks/alipay', body, signWebhook(SECRET, wrongId, body)),
        await http.postRaw(
          '/webhooks/bank-card',
          unknownBody,
          signWebhook(SECRET, unknownId, unknownBody),
        ),
      ];
      for (const answer of answers) {
        expect(answer).toEqual({ status: 200, body: { status: 'accepted' } });
      }
      expect(await streamEvents(payment.paymentId)).toEqual(before);
      const { rows } = await harness.pool.query(
        `SELECT webhook_id, status, processed_at IS NOT NULL AS done FROM payment_webhooks
          WHERE webhook_id = ANY($1) ORDER BY status DESC`,
        [[wrongId, unknownId]],
      );
      expect(rows).toEqual([
        { webhook_id: wrongId, status: 'rejected', done: true },
        { webhook_id: unknownId, status: 'ignored', done: true },
      ]);
    });

    it('answers 404 for an unknown provider', async () => {
      const answer = await http.postRaw(
        '/webhooks/paypal',
        '{}',
        signWebhook(SECRET, 'msg_x', '{}'),
      );
      expect(answer.status).toBe(404);
    });
  });

  describe('refunds', () => {
    async function capturedPayment() {
      const { orderId, payment } = await paymentFor('wechat-pay');
      await http.pay(payment.providerReference, 'succeeded');
      await waitFor(() => publishedFor(harness, orderId).includes('PaymentCaptured'), 'capture');
      return { orderId, payment };
    }
    const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

    it('refuses a refund above the captured total or in another currency, with problem details', async () => {
      const { payment } = await capturedPayment();
      const over = await http.post(`/payments/${payment.paymentId}/refunds`, {
        amount: cny(12_901),
        kind: 'partial',
        reason: 'x',
      });
      expect(over.status).toBe(422);
      expect(over.body).toMatchObject({ code: 'PAYMENT.REFUND_EXCEEDS_CAPTURED', status: 422 });
      const usd = await http.post(`/payments/${payment.paymentId}/refunds`, {
        amount: { amountMinor: 100, currency: 'USD' },
        kind: 'partial',
        reason: 'x',
      });
      expect(usd.status).toBe(422);
      expect(usd.body.code).toBe('PAYMENT.CURRENCY_MISMATCH');
      const fractional = await http.post(`/payments/${payment.paymentId}/refunds`, {
        amount: cny(1.5),
        kind: 'partial',
        reason: 'x',
      });
      expect(fractional.status).toBe(400);
      expect(fractional.body.errors[0].field).toBe('amount.amountMinor');
    });

    it('issues a partial refund at the provider; a retry with the same Idempotency-Key refunds nothing more', async () => {
      const { orderId, payment } = await capturedPayment();
      const key = { 'idempotency-key': randomUUID() };
      const body = { amount: cny(2_000), kind: 'price-difference', reason: 'price dropped' };
      const first = await http.post(`/payments/${payment.paymentId}/refunds`, body, key);
      const again = await http.post(`/payments/${payment.paymentId}/refunds`, body, key);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        status: 'issued',
        kind: 'price-difference',
        refundedTotal: cny(2_000),
      });
      expect(again).toEqual(first);
      await waitFor(() => publishedFor(harness, orderId).includes('RefundIssued'), 'RefundIssued');
      const provider = await http.simulatorPayment(payment.providerReference);
      expect(provider.body.refundedAmount).toEqual({ value: 2_000, currency: 'CNY' });
      expect((await http.get(`/payments/${payment.paymentId}`)).body.refundable).toEqual(
        cny(10_900),
      );
    });

    it('concurrent refunds never exceed the captured total', async () => {
      const { payment } = await capturedPayment();
      const answers = await Promise.all(
        [1, 2, 3].map(() =>
          http.post(`/payments/${payment.paymentId}/refunds`, {
            amount: cny(5_000),
            kind: 'partial',
            reason: 'race',
          }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, 201, 422]);
      const view = (await http.get(`/payments/${payment.paymentId}`)).body;
      expect(view.refundedTotal).toEqual(cny(10_000));
      const provider = await http.simulatorPayment(payment.providerReference);
      expect(provider.body.refundedAmount.value).toBe(10_000);
    });

    it('refunds in full by itself when a paid order is cancelled', async () => {
      const { orderId, payment } = await capturedPayment();
      await publish(harness.producer, Topics.orders, {
        type: 'fulfil.orders.OrderCancelled',
        version: 1,
        data: {
          orderId,
          orderNumber: 'F1',
          customerId: 'cust-1',
          reason: 'customer-request',
          initiatedBy: 'customer',
        },
      } as IntegrationEvent);
      await waitFor(
        () => publishedFor(harness, orderId).includes('RefundIssued'),
        'the automatic refund',
      );
      const issued = harness.published.find(
        (r) =>
          r.event.type === 'fulfil.payments.RefundIssued' &&
          (r.event.data as { orderId: string }).orderId === orderId,
      )!;
      expect(issued.event.data).toMatchObject({
        kind: 'full',
        amount: cny(12_900),
        refundedTotal: cny(12_900),
      });
      expect(
        (await http.simulatorPayment(payment.providerReference)).body.refundedAmount.value,
      ).toBe(12_900);
    });

    it('refunds a payment captured after its order’s cancellation had asked for a void', async () => {
      const { orderId, payment } = await capturedPayment();
      // The race: the cancellation saw the intent still open and asked for a void, then the
      // webhook's capture committed.
      await paymentOrders.markCancelled(harness.pool, orderId);
      await runWrites(harness.pool, [
        paymentTasks(harness.app.get(DeadlineScheduler)).void({
          paymentId: payment.paymentId,
          correlationId: orderId,
          reason: 'order-cancelled',
        }),
      ]);
      await waitFor(
        () => publishedFor(harness, orderId).includes('RefundIssued'),
        'the refund instead of the void',
      );
      expect(
        (await http.simulatorPayment(payment.providerReference)).body.refundedAmount.value,
      ).toBe(12_900);
    });
  });

  describe('cash', () => {
    it('cash in store: the POS records the cash once', async () => {
      const { orderId, payment } = await paymentFor('cash-in-store');
      expect(payment.customerAction).toEqual({ type: 'pay-in-store', url: null, qrPayload: null });
      const body = {
        amount: { amountMinor: 12_900, currency: 'CNY' },
        receiptReference: 'POS-1',
        storeId: 'store-1',
      };
      const wrong = await http.post(`/payments/${payment.paymentId}/cash-received`, {
        ...body,
        amount: { amountMinor: 100, currency: 'CNY' },
      });
      expect(wrong.status).toBe(422);
      const paid = await http.post(`/payments/${payment.paymentId}/cash-received`, body);
      expect(paid.status).toBe(200);
      expect(paid.body).toMatchObject({ status: 'captured', providerReference: 'POS-1' });
      const other = await http.post(`/payments/${payment.paymentId}/cash-received`, {
        ...body,
        receiptReference: 'POS-2',
      });
      expect(other.status).toBe(409);
      await waitFor(
        () => publishedFor(harness, orderId).includes('PaymentCaptured'),
        'PaymentCaptured',
      );
      expect(publishedFor(harness, orderId)).toEqual(['PaymentIntentCreated', 'PaymentCaptured']);
    });

    it('cash on delivery is settled when logistics reports the delivery', async () => {
      const { orderId, payment } = await paymentFor('cash-on-delivery');
      await publish(harness.producer, Topics.logistics, {
        type: 'fulfil.logistics.ShipmentDelivered',
        version: 1,
        data: {
          shipmentId: 'ship-cod',
          orderId,
          carrier: 'sf-express',
          trackingNumber: 'SF2',
          handover: 'in-person',
          transitSeconds: 3600,
        },
      } as IntegrationEvent);
      await waitFor(
        () => publishedFor(harness, orderId).includes('CashOnDeliverySettled'),
        'COD settlement',
      );
      expect((await http.get(`/payments/${payment.paymentId}`)).body.status).toBe('captured');
    });
  });

  describe('API', () => {
    it('needs a token and the write scope', async () => {
      const anonymous = await fetch(`${harness.baseUrl}/payments?orderId=x`);
      expect(anonymous.status).toBe(401);
      const readOnly = await http.post(
        `/payments/${randomUUID()}/refunds`,
        { amount: { amountMinor: 1, currency: 'CNY' }, kind: 'partial', reason: 'x' },
        {},
        READER,
      );
      expect(readOnly.status).toBe(403);
      const unknown = await http.get(`/payments/${randomUUID()}`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('PAYMENT.NOT_FOUND');
      expect((await http.get('/payments/not-a-uuid')).status).toBe(400);
    });
  });
});
