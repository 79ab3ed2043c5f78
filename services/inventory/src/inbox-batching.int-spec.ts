import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Topics } from '@fulfil/contracts';
import { PG_POOL } from '@fulfil/messaging';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import fc from 'fast-check';
import type { Producer } from 'kafkajs';
import type { Pool } from 'pg';
import pino from 'pino';
import { StockService } from './application/stock.service';
import { LocationsRepository } from './infrastructure/locations.repository';
import { StockLevelsRepository } from './infrastructure/stock-levels.repository';
import {
  kafkaClient,
  kafkaMessageOf,
  startInventoryApp,
  waitFor,
} from './testing/inventory-test-kit';
import { orderConfirmed, orderPlaced, type TestLine } from './testing/order-events.fixture';

// Orders waiting in many partitions, handled several to a transaction by concurrent inbox
// groups, over overlapping SKUs whose lines come in any order: every group takes its locks
// together and sorted (`inboxLockKeys`), so no group deadlocks, fails or retries, and stock is
// never oversold. Without the up-front locks, groups take sorted sets one after another and
// deadlock (PostgreSQL aborts one; the inbox then retries its events one by one — logged).

const PARTITIONS = 6;
const ORDERS = 120;

let infra: TestInfrastructure;
let app: INestApplication;
let pool: Pool;
let producer: Producer;
const warnings: string[] = [];

beforeAll(async () => {
  infra = await startTestInfrastructure();
  const kafka = kafkaClient(infra.kafkaBrokers);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [Topics.orders, Topics.afterSales, Topics.inventory].map((topic) => ({
      topic,
      numPartitions: PARTITIONS,
    })),
  });
  await admin.disconnect();
  producer = kafka.producer();
  await producer.connect();
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void warnings.push(JSON.parse(line).msg as string) },
  );
  app = await startInventoryApp(infra, {}, logger);
  pool = app.get<Pool>(PG_POOL);
  await app.get(LocationsRepository).insert(pool, {
    locationId: 'wh-1',
    type: 'warehouse',
    name: 'wh-1',
    regionCode: null,
  });
});

afterAll(async () => {
  await producer?.disconnect();
  await app?.close();
  await infra?.stop();
});

/** Random orders of one to four lines over `skus`, lines in any order (not sorted). */
function randomOrders(
  skus: readonly string[],
  seed: number,
): { orderId: string; lines: TestLine[] }[] {
  const line = fc.record({
    sku: fc.constantFrom(...skus),
    quantity: fc.integer({ min: 1, max: 3 }),
  });
  const [lineSets] = fc.sample(
    fc.array(fc.array(line, { minLength: 1, maxLength: 4 }), {
      minLength: ORDERS,
      maxLength: ORDERS,
    }),
    { seed, numRuns: 1 },
  );
  return lineSets!.map((lines, i) => ({
    orderId: `ord-${seed}-${i}-${randomUUID().slice(0, 8)}`,
    lines: lines.map(({ sku, quantity }, n) => ({ lineId: `l${n}`, skuId: sku, quantity })),
  }));
}

it('handles waiting orders over overlapping SKUs in concurrent groups: no deadlock, no oversell', async () => {
  const skus = ['a', 'b', 'c', 'd', 'e'].map((s) => `sku-${s}-${randomUUID().slice(0, 8)}`);
  const stocked = new Map(skus.map((skuId, i) => [skuId, 20 + 10 * i]));
  const stock = app.get(StockService);
  for (const [skuId, quantity] of stocked) {
    await stock.receive(
      { skuId, locationId: 'wh-1', quantity },
      {
        correlationId: randomUUID(),
        actor: 'test',
        now: new Date(),
      },
    );
  }
  const orders = randomOrders(skus, 4242);
  // Every other order is confirmed right after it was placed (same key, same partition): the
  // groups mix reservation locks with SKU locks.
  const messages = orders.flatMap(({ orderId, lines }, i) => [
    kafkaMessageOf(orderPlaced(orderId, lines)),
    ...(i % 2 === 0 ? [kafkaMessageOf(orderConfirmed(orderId, lines))] : []),
  ]);
  // One request: each partition's events are all waiting when the consumer fetches them.
  await producer.send({ topic: Topics.orders, messages });

  const orderIds = orders.map((o) => o.orderId);
  const inboxRows = async () =>
    (
      await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM inbox WHERE consumer_group = 'inventory'`,
      )
    ).rows[0]!.n;
  await waitFor(async () => (await inboxRows()) === messages.length || undefined, 'all handled');

  expect(warnings.filter((w) => w.startsWith('inbox'))).toEqual([]);
  // Grouped indeed: far fewer transactions than events (an inbox row's time is its transaction's).
  const { rows: groups } = await pool.query<{ n: number }>(
    `SELECT count(DISTINCT processed_at)::int AS n FROM inbox WHERE consumer_group = 'inventory'`,
  );
  expect(groups[0]!.n).toBeLessThan(messages.length / 2);

  const levels = await app.get(StockLevelsRepository).findBySkus(pool, skus);
  for (const skuId of skus) {
    const demand = orders
      .flatMap((o) => o.lines)
      .filter((l) => l.skuId === skuId)
      .reduce((sum, l) => sum + l.quantity, 0);
    const level = levels.find((l) => l.skuId === skuId)!;
    expect(level.onHand).toBe(stocked.get(skuId));
    expect(level.reserved).toBe(Math.min(demand, stocked.get(skuId)!));
    expect(level.available).toBeGreaterThanOrEqual(0);
  }
  // The read model agrees with what the reservations hold.
  const { rows: held } = await pool.query<{ sku_id: string; quantity: number }>(
    `SELECT a->>'skuId' AS sku_id, sum((a->>'quantity')::int)::int AS quantity
       FROM reservations, jsonb_array_elements(held) AS a
      WHERE order_id = ANY($1) GROUP BY 1`,
    [orderIds],
  );
  for (const { sku_id, quantity } of held) {
    expect(levels.find((l) => l.skuId === sku_id)!.reserved).toBe(quantity);
  }
  // Each reservation made for a confirmed order is firm, for the others active; a reservation
  // failed only for an order one of whose SKUs is short even now (nothing was released since,
  // so what is left now is at most what was left when it was refused), and it holds nothing.
  const { rows: statuses } = await pool.query<{ order_id: string; status: string; held: [] }>(
    `SELECT order_id, status, held FROM reservations WHERE order_id = ANY($1)`,
    [orderIds],
  );
  expect(statuses).toHaveLength(ORDERS);
  expect(statuses.filter((r) => r.status === 'failed').length).toBeGreaterThan(0); // stock ran short
  const left = (skuId: string) => levels.find((l) => l.skuId === skuId)!.available;
  for (const { order_id, status, held: holds } of statuses) {
    const index = orderIds.indexOf(order_id);
    if (status === 'failed') {
      expect(holds).toEqual([]);
      expect(orders[index]!.lines.some((l) => left(l.skuId) < l.quantity)).toBe(true);
    } else {
      expect(status).toBe(index % 2 === 0 ? 'firm' : 'active');
    }
  }
});
