// The payments service crashing under load: orders and inventory with `npm start`, payments
// with a second `npm start` on the first one's PostgreSQL and broker, and the SIMULATED payment
// provider in a process of its own, as a real provider is (it keeps its payments and retries
// its webhooks while payments is away). The test SIGKILLs payments mid-load — no shutdown hook
// runs, handed-off provider calls die with it — and starts it again on the same ports. Every
// order must still be paid and confirmed once: a call the dead process held is taken over when
// its lease runs out, a webhook that found payments down is delivered again. The restart runs
// with Kafka's shortest session and a 15 s lease (`KAFKA_SESSION_TIMEOUT_MS`,
// `DEADLINE_LEASE_MS`), so that the test waits seconds for both, not a minute.
import { randomUUID } from 'node:crypto';
import { Topics } from '@fulfil/contracts';
import {
  CRASH_LOAD,
  expectEachConfirmedOnce,
  expectPublishedOnce,
  placeEachOnceAroundCrash,
} from './support/crash-under-load';
import { startLocalStack, type LocalStack } from './support/local-stack';
import { LoneService } from './support/lone-service';
import {
  PAY_AT_ONCE,
  startSimulatorProcess,
  type SimulatorProcess,
} from './support/payment-simulator-process';
import { PlatformClient } from './support/platform-client';

const SKU = `payments-crash-sku-${randomUUID().slice(0, 8)}`;

let platform: LocalStack | undefined;
let simulator: SimulatorProcess | undefined;
let payments: LoneService | undefined;
let api: PlatformClient;

beforeAll(async () => {
  platform = await startLocalStack({ services: ['orders', 'inventory'] });
  await platform.ready();
  simulator = await startSimulatorProcess(PAY_AT_ONCE);
  payments = await LoneService.start(platform, 'payments', {
    PAYMENT_GATEWAY_URL: simulator.url,
    // A provider call the dead process held is taken over 15 s after it began instead of 60
    // (still above the provider client's 10 s timeout).
    DEADLINE_LEASE_MS: '15000',
  });
  api = new PlatformClient(payments.on(platform), { simulatorUrl: simulator.url });
  const warehouse = `${SKU}-wh`;
  await api.createLocation(warehouse, 'warehouse');
  await api.receiveStock(SKU, warehouse, CRASH_LOAD.orders);
}, 240_000);

afterAll(async () => {
  await payments?.stop();
  await simulator?.stop();
  await platform?.stop();
}, 120_000);

describe('a payments crash under load', () => {
  it('loses no payment: each order is paid, captured and confirmed exactly once', async () => {
    const orderIds = await placeEachOnceAroundCrash(api, SKU, () => payments!.crashAndRestart());

    await expectEachConfirmedOnce(api, orderIds, SKU, platform!.tail);
    await expectPublishedOnce(
      platform!.kafkaBrokers,
      [Topics.orders, Topics.payments],
      ['PaymentIntentCreated', 'PaymentCaptured', 'OrderConfirmed'],
      orderIds,
    );
  }, 400_000);
});
