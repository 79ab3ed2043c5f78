import { randomUUID } from 'node:crypto';
import { Topics } from '@fulfil/contracts';
import { freePort, startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import {
  httpClient,
  orderPlaced,
  orderStockReserved,
  publish,
  publishedFor,
  startPaymentsHarness,
  waitFor,
  type PaymentsHarness,
} from './testing/payments-test-kit';

// A service whose payments expire after one second (PAYMENT_TTL_SECONDS=1).
let infra: TestInfrastructure;
let harness: PaymentsHarness;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  infra = await startTestInfrastructure();
  harness = await startPaymentsHarness(infra, await freePort(), { PAYMENT_TTL_SECONDS: '1' });
  http = httpClient(harness);
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await infra?.stop();
});

it('times out an unpaid payment, cancels it at the provider, and refuses a late payment', async () => {
  const orderId = randomUUID();
  await publish(harness.producer, Topics.orders, orderPlaced(orderId, 'alipay'));
  await publish(harness.producer, Topics.orders, orderStockReserved(orderId));
  await waitFor(
    () => publishedFor(harness, orderId).includes('PaymentTimedOut'),
    'PaymentTimedOut',
  );
  expect(publishedFor(harness, orderId)).toEqual(['PaymentIntentCreated', 'PaymentTimedOut']);
  const { body } = await http.get(`/payments?orderId=${orderId}`);
  const payment = body.items[0];
  expect(payment.status).toBe('timed-out');
  const timedOut = harness.published.find(
    (r) => r.event.type === 'fulfil.payments.PaymentTimedOut',
  )!;
  expect((timedOut.event.data as { expiredAt: string }).expiredAt).toBe(payment.expiresAt);
  expect(payment.providerReference).toEqual(expect.stringMatching(/^sim_pay_/));
  expect((await http.simulatorPayment(payment.providerReference)).body.status).toBe('cancelled');
  const late = await http.pay(payment.providerReference, 'succeeded');
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('payment_not_payable');
});

it('does not time out a payment completed in time', async () => {
  const orderId = randomUUID();
  await publish(harness.producer, Topics.orders, orderPlaced(orderId, 'wechat-pay'));
  await publish(harness.producer, Topics.orders, orderStockReserved(orderId));
  const payment = await waitFor(async () => {
    const { body } = await http.get(`/payments?orderId=${orderId}`);
    return body.items[0]?.providerReference ? body.items[0] : undefined;
  }, 'registration');
  const paid = await http.pay(payment.providerReference, 'succeeded');
  // Paying may lose the race against the one-second expiry on a slow machine; then the
  // payment must have timed out instead — never both.
  if (paid.status === 200) {
    await waitFor(() => publishedFor(harness, orderId).includes('PaymentCaptured'), 'capture');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(publishedFor(harness, orderId)).toEqual([
      'PaymentIntentCreated',
      'PaymentAuthorised',
      'PaymentCaptured',
    ]);
  } else {
    await waitFor(() => publishedFor(harness, orderId).includes('PaymentTimedOut'), 'timeout');
    expect(publishedFor(harness, orderId)).toEqual(['PaymentIntentCreated', 'PaymentTimedOut']);
  }
});
