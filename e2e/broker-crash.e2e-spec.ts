// The broker crashing under load: `npm start` with orders, inventory and payments on a
// development broker of the test's own (`KAFKA_BROKERS`), which the test SIGKILLs mid-load —
// no shutdown hook runs — and starts again on the same port and data a few seconds later.
// Orders are placed throughout: placing needs only PostgreSQL (the event waits in the outbox),
// so every request is accepted, and every order must then go all the way once the broker is
// back. The payment provider is the SIMULATED one inside payments, paying every intent at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Topics } from '@fulfil/contracts';
import { startDevBrokerProcess, type DevBrokerProcess } from '@fulfil/local-infra';
import { freePort } from '@fulfil/testing';
import { EventLog } from './support/event-log';
import type { LocalStack } from './support/local-stack';
import {
  decidedTwice,
  eventIdsByOrder,
  expectEachConfirmedOnce,
  startStockedStack,
} from './support/crash-under-load';
import { orderBody, until, type PlatformClient, type Order } from './support/platform-client';

const SKU = `broker-crash-sku-${randomUUID().slice(0, 8)}`;
const ORDERS = 80;
/** Orders placed before the crash; the rest are placed while the broker is down or starting. */
const CRASH_AFTER = 30;
const PLACE_EVERY_MS = 40;
const DOWN_FOR_MS = 3_000;

let brokerDir: string;
let brokerPort: number;
let broker: DevBrokerProcess | undefined;
let stack: LocalStack | undefined;
let api: PlatformClient;
let events: EventLog | undefined;

const startBroker = async (): Promise<DevBrokerProcess> =>
  (broker = await startDevBrokerProcess({ port: brokerPort, dataDir: brokerDir }));

beforeAll(async () => {
  brokerDir = mkdtempSync(join(tmpdir(), 'fulfil-crash-broker-'));
  brokerPort = await freePort();
  await startBroker();
  ({ stack, api } = await startStockedStack({ KAFKA_BROKERS: broker!.address }, SKU, ORDERS));
}, 180_000);

afterAll(async () => {
  await events?.stop();
  await stack?.stop();
  await broker?.stop().catch(() => undefined);
  rmSync(brokerDir, { recursive: true, force: true });
}, 120_000);

/** SIGKILL, as a machine losing power would stop it; resolves once the process is gone. */
async function crashBroker(): Promise<void> {
  const crashed = broker!;
  process.kill(crashed.pid, 'SIGKILL');
  await crashed.exited;
}

describe('a broker crash under load', () => {
  it('loses no order: each is reserved, paid and confirmed exactly once', async () => {
    const placing: Promise<{ status: number; body?: Order }>[] = [];
    let crashed: Promise<unknown> | undefined;
    for (let i = 0; i < ORDERS; i += 1) {
      if (i === CRASH_AFTER) {
        crashed = crashBroker()
          .then(() => new Promise((done) => setTimeout(done, DOWN_FOR_MS)))
          .then(startBroker);
      }
      const body = orderBody({ skuId: SKU, quantity: 1, paymentMethod: 'wechat-pay' });
      placing.push(
        api.call<Order>('orders', 'POST', '/orders', {
          body,
          headers: { 'idempotency-key': randomUUID() },
        }),
      );
      await new Promise((done) => setTimeout(done, PLACE_EVERY_MS));
    }
    await crashed;
    const answers = await Promise.all(placing);
    expect(answers.filter((answer) => answer.status !== 201)).toEqual([]);
    const orderIds = answers.map((answer) => answer.body!.orderId);

    await expectEachConfirmedOnce(api, orderIds, SKU);

    // Read once the broker is back, from the beginning: an event the relay sent again after
    // the crash (its acknowledgement lost) may be stored twice, but under one event id.
    events = await EventLog.start(stack!.kafkaBrokers, [
      Topics.orders,
      Topics.inventory,
      Topics.payments,
    ]);
    for (const name of ['OrderPlaced', 'StockReserved', 'OrderConfirmed']) {
      const ids = await until(
        `every ${name} read back`,
        async () => eventIdsByOrder(events!, name, orderIds),
        (byOrder) => byOrder.size === ORDERS,
        30_000,
      );
      expect({ name, twice: decidedTwice(ids) }).toEqual({ name, twice: [] });
    }
    expect(events.violations).toEqual([]);
  }, 400_000);
});
