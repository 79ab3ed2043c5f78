// What the crash tests (PostgreSQL, broker) require of every order placed around a crash.
import type { EventLog } from './event-log';
import { until, type PlatformClient } from './platform-client';

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
