// Two instances each of orders, inventory and payments racing for the last units (R-INV-2 across
// processes): the platform with `npm start`, a second orders, inventory and payments each under
// an `npm start` of its own on the same PostgreSQL and broker, in the same consumer groups, and
// the SIMULATED provider in a process of its own serving both payments instances. Each process
// remembers the streams it last committed (orders, a SKU's stock, reservations, payments), and
// every write of the other instance makes that memory stale: the appends' expected versions
// must catch it. The provider's webhooks for the payments the second instance registers go to
// the first, as behind a load balancer, so a payment's registration and its webhook race in two
// processes. 200 one-unit orders for one SKU with 50 units over three locations, sent to both
// orders instances at once: exactly 50 are confirmed and paid once, the other 150 cancelled for
// a stock shortage, and no location goes below zero.
import { randomUUID } from 'node:crypto';
import { startLocalStack, type LocalStack } from './support/local-stack';
import { LoneService } from './support/lone-service';
import {
  PAY_AT_ONCE,
  startSimulatorProcess,
  type SimulatorProcess,
} from './support/payment-simulator-process';
import { orderBody, PlatformClient, until, type Order } from './support/platform-client';

const run = randomUUID().slice(0, 8);
const SKU = `scale-out-sku-${run}`;
/** A SKU with stock to spare, for the orders that show every second instance at work. */
const PROBE_SKU = `scale-out-probe-${run}`;
const LOCATIONS = [
  { locationId: `${SKU}-wh-1`, type: 'warehouse', units: 20 },
  { locationId: `${SKU}-wh-2`, type: 'warehouse', units: 20 },
  { locationId: `${SKU}-st-1`, type: 'store', units: 10 },
] as const;
const UNITS = LOCATIONS.reduce((sum, location) => sum + location.units, 0);
const ORDERS = 200;

let simulator: SimulatorProcess | undefined;
let platform: LocalStack | undefined;
const seconds: LoneService[] = [];
/** One client per set of instances: the platform's, and the second ones. */
let clients: [PlatformClient, PlatformClient];

beforeAll(async () => {
  simulator = await startSimulatorProcess(PAY_AT_ONCE);
  const provider = { PAYMENT_GATEWAY_URL: simulator.url };
  platform = await startLocalStack({
    services: ['orders', 'inventory', 'payments'],
    // Two instances of each service share a topic's partitions: one each at least.
    env: { ...provider, FULFIL_TOPIC_PARTITIONS: '3' },
  });
  await platform.ready();
  for (const name of ['orders', 'inventory'] as const) {
    seconds.push(await LoneService.start(platform, name));
  }
  seconds.push(
    await LoneService.start(platform, 'payments', {
      ...provider,
      PAYMENT_NOTIFY_BASE_URL: platform.urls.payments,
    }),
  );
  const { url: simulatorUrl } = simulator;
  clients = [
    new PlatformClient(platform, { simulatorUrl }),
    new PlatformClient(
      seconds.reduce((stack, second) => second.on(stack), platform),
      { simulatorUrl },
    ),
  ];
  const [api] = clients;
  for (const { locationId, type, units } of LOCATIONS) {
    await api.createLocation(locationId, type);
    await api.receiveStock(SKU, locationId, units);
  }
  await api.createLocation(`${PROBE_SKU}-wh`, 'warehouse');
  await api.receiveStock(PROBE_SKU, `${PROBE_SKU}-wh`, 1_000);
}, 240_000);

afterAll(async () => {
  await Promise.all(seconds.map((second) => second.stop()));
  await platform?.stop();
  await simulator?.stop();
}, 120_000);

/** The events a service's inbox has handled so far (`inbox_processed_total`, every group). */
async function eventsHandled(baseUrl: string): Promise<number> {
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('inbox_processed_total'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** The order once it is confirmed or cancelled. */
function settled(api: PlatformClient, orderId: string): Promise<Order> {
  return until(
    `order ${orderId} settled`,
    () => api.order(orderId),
    (order) => order.status === 'confirmed' || order.status === 'cancelled',
    120_000,
  );
}

describe('two instances of orders, inventory and payments', () => {
  it('share the work and never oversell: 200 orders for 50 units, exactly 50 confirmed', async () => {
    // Every second instance owns partitions before the race: it joined its group last, and
    // the first takes part in the rebalance at its next heartbeat.
    const consumers = clients.flatMap((client) =>
      (['orders', 'inventory', 'payments'] as const).map((service) => client.url(service)),
    );
    // The second starts found the topics there, with more partitions than they would create.
    for (const second of seconds) {
      expect(second.output()).toMatch(
        /existing topics keep their partition counts \(.*orders\.events: 3/,
      );
    }
    const handledAtFirst = await Promise.all(consumers.map(eventsHandled));
    await until(
      'every instance handling events',
      async () => {
        await clients[0].placeOrder(
          orderBody({ skuId: PROBE_SKU, quantity: 1, paymentMethod: 'wechat-pay' }),
        );
        return Promise.all(consumers.map(eventsHandled));
      },
      (handled) => handled.every((count, i) => count > handledAtFirst[i]!),
      60_000,
    );

    const placed = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) =>
        clients[i % 2]!.placeOrder(
          orderBody({ skuId: SKU, quantity: 1, paymentMethod: 'wechat-pay' }),
        ),
      ),
    );
    const [api] = clients;
    const orders: Order[] = [];
    for (const { orderId } of placed) orders.push(await settled(api, orderId));

    const confirmed = orders.filter((order) => order.status === 'confirmed');
    const cancelled = orders.filter((order) => order.status === 'cancelled');
    expect(confirmed).toHaveLength(UNITS);
    for (const order of cancelled) {
      expect(order.timeline.at(-1)).toMatchObject({
        type: 'OrderCancelled',
        reason: 'stock-shortage',
      });
    }
    const availability = await api.availability(SKU);
    expect(availability).toMatchObject({ onHand: UNITS, reserved: UNITS, available: 0 });
    for (const { locationId, units } of LOCATIONS) {
      expect(availability.locations.find((l) => l.locationId === locationId)).toMatchObject({
        reserved: units,
        available: 0,
      });
    }
    for (const order of confirmed) {
      expect(await api.paymentsOf(order.orderId)).toEqual([
        expect.objectContaining({ status: 'captured', capturedTotal: order.totals.total }),
      ]);
      const [reservation, ...others] = await api.reservationsOf(order.orderId);
      expect(others).toEqual([]);
      expect(reservation).toMatchObject({
        status: 'firm',
        held: [expect.objectContaining({ quantity: 1 })],
      });
    }
  }, 400_000);
});
