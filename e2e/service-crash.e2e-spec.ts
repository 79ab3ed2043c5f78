// Orders and inventory crashing under load, one at a time: payments with `npm start` (its
// SIMULATED provider paying every intent at once), orders and inventory each under an `npm start`
// of its own on the same PostgreSQL and broker. Each test SIGKILLs one of them mid-load — no
// shutdown hook runs: transactions in flight are rolled back, consumed events not yet committed
// come again, a relay's publish may be cut between the broker's ack and its checkpoint — and
// starts it again on the same ports. Every order must still be reserved, paid and confirmed
// exactly once.
import { randomUUID } from 'node:crypto';
import {
  CRASH_LOAD,
  CUT_OFF,
  expectOrderFlowOnce,
  NOT_CONNECTED,
  placeAroundCrash,
  placeEachOnceAroundCrash,
  placeUntilAccepted,
} from './support/crash-under-load';
import { startLocalStack, type LocalStack } from './support/local-stack';
import { LoneService } from './support/lone-service';
import { PAY_AT_ONCE } from './support/payment-simulator-process';
import { orderBody, PlatformClient, type Order } from './support/platform-client';

const run = randomUUID().slice(0, 8);
/** Orders placed at once just before orders is killed, besides the crash tests' usual load. */
const IN_FLIGHT_AT_CRASH = 10;
const ORDERS_CRASH_SKU = `orders-crash-sku-${run}`;
const INVENTORY_CRASH_SKU = `inventory-crash-sku-${run}`;

let platform: LocalStack | undefined;
let orders: LoneService | undefined;
let inventory: LoneService | undefined;
let api: PlatformClient;

beforeAll(async () => {
  platform = await startLocalStack({
    services: ['payments'],
    env: PAY_AT_ONCE,
  });
  await platform.ready();
  orders = await LoneService.start(platform, 'orders');
  inventory = await LoneService.start(platform, 'inventory');
  api = new PlatformClient(inventory.on(orders.on(platform)));
  // One unit per order, exactly.
  const stock = [
    [ORDERS_CRASH_SKU, CRASH_LOAD.orders + IN_FLIGHT_AT_CRASH],
    [INVENTORY_CRASH_SKU, CRASH_LOAD.orders],
  ] as const;
  for (const [sku, units] of stock) {
    await api.createLocation(`${sku}-wh`, 'warehouse');
    await api.receiveStock(sku, `${sku}-wh`, units);
  }
}, 240_000);

afterAll(async () => {
  await Promise.all([orders?.stop(), inventory?.stop()]);
  await platform?.stop();
}, 120_000);

describe('a service crash under load', () => {
  it('orders: a client retrying with its key gets one order, confirmed exactly once', async () => {
    // Clients retry with the same key, as they must when a request got no answer: a placement
    // the crash cut off after its commit is answered from the answer it committed, one cut off
    // before it runs afresh — a placement claims no key before its commit (the answer's write
    // takes it), and its key guard's lock ended with the dead process's connection, so no retry
    // meets 409 `idempotency-key-in-progress`.
    const statuses: number[] = [];
    const place = (body: object) => placeUntilAccepted(api, body, statuses, () => orders!.tail(80));
    let inFlight: Promise<Order>[] = [];
    const crash = async () => {
      // A few placements sent together just before the kill, so that some are cut off midway.
      inFlight = Array.from({ length: IN_FLIGHT_AT_CRASH }, () =>
        place(orderBody({ skuId: ORDERS_CRASH_SKU, quantity: 1, paymentMethod: 'wechat-pay' })),
      );
      await new Promise((done) => setTimeout(done, 15));
      await orders!.crashAndRestart();
    };
    const placed = await placeAroundCrash(ORDERS_CRASH_SKU, crash, place);
    placed.push(...(await Promise.all(inFlight)));

    const orderIds = placed.map((order) => order.orderId);
    await expectOrderFlowOnce(api, platform!, orderIds, ORDERS_CRASH_SKU);
    const answers = new Set(statuses);
    expect(
      [...answers].filter((status) => ![NOT_CONNECTED, CUT_OFF, 201].includes(status)),
    ).toEqual([]);
    expect(answers.has(CUT_OFF)).toBe(true);
  }, 400_000);

  it('inventory: every order placed meanwhile is reserved once and confirmed', async () => {
    const orderIds = await placeEachOnceAroundCrash(api, INVENTORY_CRASH_SKU, () =>
      inventory!.crashAndRestart(),
    );
    await expectOrderFlowOnce(api, platform!, orderIds, INVENTORY_CRASH_SKU);
  }, 400_000);
});
