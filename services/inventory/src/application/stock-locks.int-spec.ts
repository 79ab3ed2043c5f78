import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { withTransaction } from '@fulfil/event-store';
import { PG_POOL } from '@fulfil/messaging';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import type { Pool, PoolClient } from 'pg';
import { startInventoryApp, waitFor } from '../testing/inventory-test-kit';
import type { CommandContext } from './command-context';
import { InventoryTransactions } from './inventory-transactions';
import { ReservationService } from './reservation.service';
import { lockReservation, lockReservationOfOrder, lockSkus } from './stock-locks';

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
  expect(await isFree(`inventory-reservation:${reservationId}`)).toBe(false);
  // The same lock as lockReservation's: a writer by id waits for it.
  const byId = holding((client) => lockReservation(client, reservationId));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(byId.isLocked()).toBe(false);
  holder.release();
  await waitFor(async () => byId.isLocked() || undefined, 'locked by id after release');
  byId.release();
  await Promise.all([holder.done, byId.done]);

  await withTransaction(pool, async (client) => {
    expect(await lockReservationOfOrder(client, `ord-${randomUUID()}`)).toBeUndefined();
  });
});
