import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { withTransaction } from '@fulfil/event-store';
import { PG_POOL } from '@fulfil/messaging';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import type { Pool, PoolClient } from 'pg';
import { fromKafkaMessage, type IntegrationEvent } from '@fulfil/contracts';
import { InboxContext, type InboxPayload } from '@fulfil/messaging';
import { inboxLockKeys } from '../api/inbox-lock-keys';
import { OrdersKafkaController } from '../api/orders.kafka.controller';
import { AfterSalesKafkaController } from '../api/after-sales.kafka.controller';
import { LocationsRepository } from '../infrastructure/locations.repository';
import { kafkaMessageOf, startInventoryApp, waitFor } from '../testing/inventory-test-kit';
import { orderConfirmed, orderPlaced, restockRequested } from '../testing/order-events.fixture';
import { StockService } from './stock.service';
import type { CommandContext } from './command-context';
import { InventoryTransactions } from './inventory-transactions';
import { ReservationService } from './reservation.service';
import {
  lockReservation,
  lockReservationOfOrder,
  lockSkus,
  reservationLockKey,
} from './stock-locks';

// The lock statements take a whole set of locks in one round trip: this proves they still take
// them one after another in sorted order (what keeps writers free of deadlocks), and that the
// order's reservation is found and locked together.

let infra: TestInfrastructure;
let app: INestApplication;
let pool: Pool;

beforeAll(async () => {
  infra = await startTestInfrastructure();
  app = await startInventoryApp(infra);
  pool = app.get<Pool>(PG_POOL);
});

afterAll(async () => {
  await app?.close();
  await infra?.stop();
});

/** Whether another session could take the lock now (taken and let go at once if so). */
async function isFree(key: string): Promise<boolean> {
  const { rows } = await pool.query<{ free: boolean }>(
    'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS free',
    [key],
  );
  return rows[0]!.free;
}

/** Holds the transaction open, with whatever `lock` took, until `release` is called. */
function holding(lock: (client: PoolClient) => Promise<unknown>) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked = false;
  const done = withTransaction(pool, async (client) => {
    await lock(client);
    locked = true;
    await released;
  });
  return { release, done, isLocked: () => locked };
}

it('lockSkus takes the SKUs one by one in sorted order, whatever order they come in', async () => {
  const [a, b, c] = ['a', 'b', 'c'].map((s) => `${s}-${randomUUID()}`) as [string, string, string];
  const first = holding((client) => lockSkus(client, [b]));
  await waitFor(async () => first.isLocked() || undefined, 'b locked');

  const second = holding((client) => lockSkus(client, [c, b, a, c]));
  // Waiting for b: it holds a (before b) and not yet c (after b).
  await waitFor(async () => !(await isFree(`inventory-sku:${a}`)) || undefined, 'a taken');
  expect(await isFree(`inventory-sku:${c}`)).toBe(true);
  expect(second.isLocked()).toBe(false);

  first.release();
  await waitFor(async () => second.isLocked() || undefined, 'all locked');
  expect(await isFree(`inventory-sku:${c}`)).toBe(false);
  second.release();
  await Promise.all([first.done, second.done]);
});

it("lockReservationOfOrder finds the order's reservation and holds its lock; none → no lock", async () => {
  const skuId = `sku-${randomUUID().slice(0, 8)}`;
  const orderId = `ord-${randomUUID()}`;
  const context: CommandContext = { correlationId: randomUUID(), actor: 'test', now: new Date() };
  const { reservationId } = await app
    .get(InventoryTransactions)
    .run((client) =>
      app
        .get(ReservationService)
        .reserveForOrder(
          client,
          { orderId, channel: 'web', lines: [{ lineId: 'l1', skuId, quantity: 1 }] },
          context,
        ),
    );

  let found: string | undefined;
  const holder = holding(async (client) => (found = await lockReservationOfOrder(client, orderId)));
  await waitFor(async () => holder.isLocked() || undefined, 'reservation locked');
  expect(found).toBe(reservationId);
  // Named after the order, so an inbox group can take it from the event alone.
  expect(await isFree(reservationLockKey(orderId))).toBe(false);
  // The same lock as lockReservation's: a writer by id waits for it.
  const byId = holding((client) => lockReservation(client, reservationId));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(byId.isLocked()).toBe(false);
  holder.release();
  await waitFor(async () => byId.isLocked() || undefined, 'locked by id after release');
  byId.release();
  await Promise.all([holder.done, byId.done]);

  await withTransaction(pool, async (client) => {
    const unknownOrder = `ord-${randomUUID()}`;
    expect(await lockReservationOfOrder(client, unknownOrder)).toBeUndefined();
    expect(await lockReservation(client, randomUUID())).toBe(false);
  });
});

/** The advisory locks the transaction of `client` holds, as 64-bit keys. */
async function heldLocks(client: PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ key: string }>(
    `SELECT ((classid::bigint << 32) | objid::bigint)::text AS key FROM pg_locks
      WHERE locktype = 'advisory' AND pid = pg_backend_pid() ORDER BY 1`,
  );
  return rows.map((row) => row.key);
}

async function lockIds(keys: readonly string[]): Promise<string[]> {
  const { rows } = await pool.query<{ key: string }>(
    'SELECT hashtextextended(k, 0)::text AS key FROM unnest($1::text[]) AS k ORDER BY 1',
    [keys],
  );
  return rows.map((row) => row.key);
}

it('the Kafka handlers take exactly the locks inboxLockKeys declares (an inbox group takes them first)', async () => {
  const [a, b] = [`sku-a-${randomUUID()}`, `sku-b-${randomUUID()}`];
  await app.get(LocationsRepository).insert(pool, {
    locationId: 'wh-locks',
    type: 'warehouse',
    name: 'wh-locks',
    regionCode: null,
  });
  const context: CommandContext = { correlationId: randomUUID(), actor: 'test', now: new Date() };
  for (const skuId of [a, b]) {
    await app.get(StockService).receive({ skuId, locationId: 'wh-locks', quantity: 5 }, context);
  }
  const orders = app.get(OrdersKafkaController);
  const afterSales = app.get(AfterSalesKafkaController);
  const lines = [b, a].map((skuId) => ({ lineId: skuId, skuId, quantity: 1 }));
  const orderId = `ord-${randomUUID()}`;
  const cases: [IntegrationEvent, (payload: InboxPayload, ctx: InboxContext) => Promise<void>][] = [
    [orderPlaced(orderId, lines), (p, c) => orders.onOrderPlaced(p, c)],
    [orderConfirmed(orderId, lines), (p, c) => orders.onOrderConfirmed(p, c)],
    [
      restockRequested('case-1', 'wh-locks', [{ skuId: a, quantity: 1 }]),
      (p, c) => afterSales.onRestockRequested(p, c),
    ],
  ];
  for (const [event, handle] of cases) {
    const received = fromKafkaMessage(kafkaMessageOf(event));
    const held = await withTransaction(pool, async (client) => {
      const source = { topic: 't', partition: 0, offset: '0', groupId: 'inventory' };
      await handle(received, new InboxContext([client, source]));
      return heldLocks(client);
    });
    expect(held).toEqual(await lockIds(inboxLockKeys(received.event)!));
  }
});
