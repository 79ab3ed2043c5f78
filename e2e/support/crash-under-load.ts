// The crash tests' common ground (PostgreSQL, the broker, each service): the stack they crash
// a part of, how they place orders around the crash, and what they require of every order.
import { randomUUID } from 'node:crypto';
import { Topics } from '@fulfil/contracts';
import { EventLog } from './event-log';
import { startLocalStack, type LocalStack } from './local-stack';
import { PAY_AT_ONCE } from './payment-simulator-process';
import { orderBody, PlatformClient, until, type Order } from './platform-client';

/** How many orders the crash tests place, and when the crash comes. */
export const CRASH_LOAD = {
  orders: 80,
  /** Orders placed before the crash; the rest while the crashed part is down or recovering. */
  crashAfter: 30,
  placeEveryMs: 40,
} as const;

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
    env: { ...env, ...PAY_AT_ONCE },
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
 * An order not confirmed in time fails it with the platform's last output (`tail`), which is
 * all a CI log keeps of why.
 */
export async function expectEachConfirmedOnce(
  api: PlatformClient,
  orderIds: readonly string[],
  skuId: string,
  tail: (lines: number) => string,
): Promise<void> {
  for (const orderId of orderIds) {
    await api.orderReaching(orderId, 'confirmed', 120_000).catch((error: Error) => {
      throw new Error(`${error.message}\nthe platform's last output:\n${tail(150)}`);
    });
  }
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

/**
 * Places `CRASH_LOAD.orders` orders with `place` (given each one's body, paid online), one every
 * `placeEveryMs`, and starts `crash` (crash and recovery) before order `crashAfter`. Resolves
 * with every answer once the crash ran its course too.
 */
export async function placeAroundCrash<T>(
  skuId: string,
  crash: () => Promise<unknown>,
  place: (body: object) => Promise<T>,
): Promise<T[]> {
  const placing: Promise<T>[] = [];
  let crashed: Promise<unknown> | undefined;
  for (let i = 0; i < CRASH_LOAD.orders; i += 1) {
    if (i === CRASH_LOAD.crashAfter) crashed = crash();
    placing.push(place(orderBody({ skuId, quantity: 1, paymentMethod: 'wechat-pay' })));
    await new Promise((done) => setTimeout(done, CRASH_LOAD.placeEveryMs));
  }
  await crashed;
  return Promise.all(placing);
}

/**
 * {@link placeAroundCrash} with one `POST /orders` per order, each with a key of its own and no
 * retry, for crashes off the placing path: every order must be accepted (201). Their ids.
 */
export async function placeEachOnceAroundCrash(
  api: PlatformClient,
  skuId: string,
  crash: () => Promise<unknown>,
): Promise<string[]> {
  const answers = await placeAroundCrash(skuId, crash, (body) =>
    api.call<Order>('orders', 'POST', '/orders', {
      body,
      headers: { 'idempotency-key': randomUUID() },
    }),
  );
  expect(answers.filter((answer) => answer.status !== 201)).toEqual([]);
  return answers.map((answer) => answer.body!.orderId);
}

/** No answer: the connection was refused — the request reached no server. */
export const NOT_CONNECTED = 0;
/** No answer: the connection broke after it was made — the server may have acted on it. */
export const CUT_OFF = -1;

function noAnswer(error: Error): number {
  const cause = error.cause as { code?: string } | undefined;
  return cause?.code === 'ECONNREFUSED' ? NOT_CONNECTED : CUT_OFF;
}

/**
 * `POST /orders` with a key of its own until it answers 201, the same key every time, as a
 * client retries a request that got no answer or a temporary one. Each answer's status goes to
 * `statuses`, with {@link NOT_CONNECTED} and {@link CUT_OFF} for none; `tail` (the platform's
 * last output) goes into the error when two minutes passed without a 201.
 */
export async function placeUntilAccepted(
  api: PlatformClient,
  body: object,
  statuses: number[],
  tail: () => string,
): Promise<Order> {
  const key = randomUUID();
  const deadline = Date.now() + 120_000;
  for (;;) {
    const response = await api
      .call<Order>('orders', 'POST', '/orders', { body, headers: { 'idempotency-key': key } })
      .catch((error: Error) => ({ status: noAnswer(error), body: undefined }));
    statuses.push(response.status);
    if (response.status === 201) return response.body!;
    if (Date.now() > deadline) {
      throw new Error(`order ${key}: last answer ${response.status}\n${tail()}`);
    }
    await new Promise((done) => setTimeout(done, 500));
  }
}

/** The events of every order's way to confirmation, one from each service, and their topics. */
const ORDER_FLOW_EVENTS = {
  topics: [Topics.orders, Topics.inventory, Topics.payments],
  names: ['OrderPlaced', 'StockReserved', 'OrderConfirmed'],
} as const;

/**
 * Each of `orderIds` (distinct) is confirmed once with its stock and payment
 * ({@link expectEachConfirmedOnce}), and its way there — `OrderPlaced`, `StockReserved`,
 * `OrderConfirmed` — published under one event id each ({@link expectPublishedOnce}).
 */
export async function expectOrderFlowOnce(
  api: PlatformClient,
  stack: Pick<LocalStack, 'kafkaBrokers' | 'tail'>,
  orderIds: readonly string[],
  skuId: string,
): Promise<void> {
  expect(new Set(orderIds).size).toBe(orderIds.length);
  await expectEachConfirmedOnce(api, orderIds, skuId, stack.tail);
  const { topics, names } = ORDER_FLOW_EVENTS;
  await expectPublishedOnce(stack.kafkaBrokers, topics, names, orderIds);
}

/**
 * Reads `topics` from the beginning until each order has its `names` events, and expects each
 * under one event id: a batch sent again after a crash may be stored twice, but with one id.
 */
export async function expectPublishedOnce(
  brokers: string[],
  topics: readonly string[],
  names: readonly string[],
  orderIds: readonly string[],
): Promise<void> {
  const log = await EventLog.start(brokers, topics);
  try {
    for (const name of names) {
      const ids = await until(
        `every ${name} read back`,
        async () => eventIdsByOrder(log, name, orderIds),
        (byOrder) => byOrder.size === orderIds.length,
        30_000,
      );
      expect({ name, twice: decidedTwice(ids) }).toEqual({ name, twice: [] });
    }
    expect(log.violations).toEqual([]);
  } finally {
    await log.stop();
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
