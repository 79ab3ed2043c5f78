// PostgreSQL crashing under load: `npm start` with orders, inventory and payments on a durable
// PostgreSQL of the test's own (fsync on), which the test stops at once mid-load — an immediate
// shutdown, no checkpoint, as a power cut leaves it — and starts again, so crash recovery
// replays what reached the disk. Orders and inventory commit their inbox transactions without
// waiting for the WAL flush (`asynchronousInboxCommits`): the last of them are lost in the
// crash, and must neither have been published nor acknowledged. The payment provider is the
// SIMULATED one inside payments, paying every intent at once.
import { randomUUID } from 'node:crypto';
import { startDurablePostgres, type DurablePostgres } from '@fulfil/testing';
import type { LocalStack } from './support/local-stack';
import {
  CRASH_LOAD,
  expectOrderFlowOnce,
  placeAroundCrash,
  placeUntilAccepted,
  startStockedStack,
} from './support/crash-under-load';
import type { PlatformClient } from './support/platform-client';

const SKU = `crash-sku-${randomUUID().slice(0, 8)}`;

let postgres: DurablePostgres | undefined;
let stack: LocalStack | undefined;
let api: PlatformClient;

beforeAll(async () => {
  postgres = await startDurablePostgres();
  ({ stack, api } = await startStockedStack(
    { POSTGRES_URL: postgres.url },
    SKU,
    CRASH_LOAD.orders,
  ));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await postgres?.stop();
}, 120_000);

describe('a PostgreSQL crash under load', () => {
  it('loses no accepted order: each is reserved, paid and confirmed exactly once', async () => {
    const statuses: number[] = [];
    const restarted = () => postgres!.crash().then(() => postgres!.restart());
    const orders = await placeAroundCrash(SKU, restarted, (body) =>
      placeUntilAccepted(api, body, statuses, () => stack!.tail(80)),
    );
    const orderIds = orders.map((order) => order.orderId);
    expect(orderIds).toHaveLength(CRASH_LOAD.orders);

    // Published once each: a transaction the crash took back had published nothing, so its
    // redelivered cause wrote new events under new ids, and no event id names two decisions.
    await expectOrderFlowOnce(api, stack!, orderIds, SKU);
    // While PostgreSQL was down the API said so — unavailable, never an internal error — or
    // that the key was still in progress: a request cut off by the crash releases its key only
    // once PostgreSQL is back.
    const answers = new Set(statuses);
    expect([...answers].filter((status) => ![201, 409, 503].includes(status))).toEqual([]);
    expect(answers.has(503)).toBe(true);
  }, 400_000);
});
