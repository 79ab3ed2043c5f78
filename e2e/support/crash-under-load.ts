// The crash tests' common ground (PostgreSQL, broker): the stack they crash a part of, and
// what they require of every order placed around the crash.
import type { EventLog } from './event-log';
import { startLocalStack, type LocalStack } from './local-stack';
import { PlatformClient, until } from './platform-client';

/**
 * Orders, inventory and payments with `npm start`, the SIMULATED provider paying every intent at
 * once, and one warehouse holding `units` of `skuId`. `env` points the stack at the server the
 * test crashes (`POSTGRES_URL`, `KAFKA_BROKERS`).
 */
export async function startStockedStack(
  env: NodeJS.ProcessEnv,
  skuId: string,
  units: number,
): Promise<{ stack: LocalStack; api: PlatformClient }> {
  const stack = await startLocalStack({
    services: ['orders', 'inventory', 'payments'],
    env: {
      ...env,
      PAYMENT_SIMULATOR_AUTO_PAY: 'succeeded',
      PAYMENT_SIMULATOR_AUTO_PAY_DELAY_MS: '0',
    },
  });
  try {
    await stack.ready();
    const api = new PlatformClient(stack);
    const warehouse = `${skuId}-wh`;
    await api.createLocation(warehouse, 'warehouse');
    await api.receiveStock(skuId, warehouse, units);
    return { stack, api };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/**
 * Each order (one unit of `skuId`, paid online) is confirmed, with one firm reservation and one
 * captured payment; the SKU, stocked with one unit per order, has exactly all of it reserved.
 */
export async function expectEachConfirmedOnce(
  api: PlatformClient,
  orderIds: readonly string[],
  skuId: string,
): Promise<void> {
  for (const orderId of orderIds) await api.orderReaching(orderId, 'confirmed', 120_000);
  const availability = await until(
    `${skuId} all reserved`,
    () => api.availability(skuId),
    (a) => a.reserved === orderIds.length,
    30_000,
  );
  expect(availability).toMatchObject({ onHand: orderIds.length, available: 0 });
  for (const orderId of orderIds) {
    expect(await api.reservationsOf(orderId)).toEqual([
      expect.objectContaining({ orderId, status: 'firm' }),
    ]);
    expect(await api.paymentsOf(orderId)).toEqual([
      expect.objectContaining({ orderId, status: 'captured' }),
    ]);
  }
}

/** The event ids of each order's `name` events in the log, by order id (orders not listed ignored). */
export function eventIdsByOrder(
  log: EventLog,
  name: string,
  orderIds: readonly string[],
): Map<string, Set<string>> {
  const wanted = new Set(orderIds);
  const ids = new Map<string, Set<string>>();
  for (const event of log.find(name)) {
    const orderId = String(event.data.orderId);
    if (wanted.has(orderId)) ids.set(orderId, (ids.get(orderId) ?? new Set()).add(event.id));
  }
  return ids;
}

/** Orders whose `name` events carry more than one event id: one decision published as two. */
export function decidedTwice(ids: Map<string, Set<string>>): string[] {
  return [...ids].filter(([, each]) => each.size !== 1).map(([orderId]) => orderId);
}
