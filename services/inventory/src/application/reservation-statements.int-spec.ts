import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { PG_POOL } from '@fulfil/messaging';
import {
  recordStatements,
  startTestInfrastructure,
  type TestInfrastructure,
} from '@fulfil/testing';
import type { Pool, PoolClient } from 'pg';
import { LocationsRepository } from '../infrastructure/locations.repository';
import { ReservationsRepository } from '../infrastructure/reservations.repository';
import { StockLevelsRepository } from '../infrastructure/stock-levels.repository';
import { startInventoryApp } from '../testing/inventory-test-kit';
import type { CommandContext } from './command-context';
import { InventoryTransactions } from './inventory-transactions';
import { ReservationService } from './reservation.service';
import { StockService } from './stock.service';

// The statements a reservation costs on the order happy path (OrderPlaced, then OrderConfirmed),
// recorded on the transaction's client: every one of them is one round trip and most of the
// service's CPU. Each kind is counted, so a regression names what came back.

let infra: TestInfrastructure;
let app: INestApplication;
let pool: Pool;
let transactions: InventoryTransactions;
let reservations: ReservationService;

const context = (): CommandContext => ({
  correlationId: randomUUID(),
  actor: 'test',
  now: new Date(),
});

const KINDS: [kind: string, pattern: RegExp][] = [
  ['find and lock reservation', /pg_advisory_xact_lock.*FROM reservations WHERE order_id/],
  ['lock', /pg_advisory_xact_lock/],
  ['find reservation', /FROM reservations WHERE order_id/],
  ['load snapshot', /FROM snapshots/],
  ['append', /^WITH head AS/],
  ['load stream', /FROM events/],
  ['stock_levels', /INSERT INTO stock_levels/],
  ['insert reservation', /INSERT INTO reservations/],
  ['update reservation', /UPDATE reservations/],
  ['schedule deadline', /INSERT INTO deadlines/],
  ['cancel deadline', /DELETE FROM deadlines/],
  ['outbox', /INSERT INTO outbox/],
  ['regional_demand', /INSERT INTO regional_demand/],
];

/** A statement's kind; several writes sent as one statement (`runWrites`): each one's, joined. */
function kindOf(text: string): string {
  const single = (part: string) => KINDS.find(([, pattern]) => pattern.test(part))?.[0] ?? part;
  if (!text.startsWith('WITH w0 AS (')) return single(text);
  const parts = text.split(/(?:^WITH|,) w\d+ AS \(/).filter(Boolean);
  return `together: ${parts.map(single).join(' + ')}`;
}

/** Runs `work` in a transaction and counts its statements by kind (BEGIN/COMMIT excluded). */
async function statementsOf(work: (client: PoolClient) => Promise<unknown>) {
  const texts: string[] = [];
  await transactions.run(async (client) => {
    const recorded = recordStatements(client);
    try {
      await work(client);
    } finally {
      texts.push(...recorded.statements.map((statement) => statement.text));
      recorded.restore();
    }
  });
  const counts: Record<string, number> = {};
  for (const text of texts) {
    const kind = kindOf(text);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

beforeAll(async () => {
  infra = await startTestInfrastructure();
  app = await startInventoryApp(infra);
  pool = app.get<Pool>(PG_POOL);
  transactions = app.get(InventoryTransactions);
  reservations = app.get(ReservationService);
  await app
    .get(LocationsRepository)
    .insert(pool, { locationId: 'wh-1', type: 'warehouse', name: 'wh-1', regionCode: null });
});

afterAll(async () => {
  await app?.close();
  await infra?.stop();
});

async function stocked(): Promise<string> {
  const skuId = `sku-${randomUUID().slice(0, 8)}`;
  await app.get(StockService).receive({ skuId, locationId: 'wh-1', quantity: 100 }, context());
  return skuId;
}

/** A new order holding one unit of a newly stocked SKU, reserved by this app (remembered). */
async function reservedOneUnit(): Promise<{ orderId: string; skuId: string }> {
  const skuId = await stocked();
  const orderId = `ord-${randomUUID()}`;
  await transactions.run((client) =>
    reservations.reserveForOrder(
      client,
      { orderId, channel: 'web', lines: [{ lineId: 'l1', skuId, quantity: 1 }] },
      context(),
    ),
  );
  return { orderId, skuId };
}

describe('statements per reservation', () => {
  it('OrderPlaced of two SKUs: one lock statement, no stream loaded, the rest in one statement', async () => {
    const [a, b] = [await stocked(), await stocked()];
    const orderId = `ord-${randomUUID()}`;
    const counts = await statementsOf((client) =>
      reservations.reserveForOrder(
        client,
        {
          orderId,
          channel: 'web',
          deliveryRegionCode: 'DE-BE',
          lines: [
            { lineId: 'l1', skuId: a, quantity: 1 },
            { lineId: 'l2', skuId: b, quantity: 2 },
          ],
        },
        context(),
      ),
    );

    expect(counts).toEqual({
      'find reservation': 1,
      lock: 1,
      // The SKUs' streams are decided on as their receipts left them (the event store's
      // memory of committed streams); the new reservation's stream has nothing to load.
      append: 3,
      // Both SKUs' availability rows are one write, sent with the rest.
      'together: stock_levels + insert reservation + schedule deadline + regional_demand + outbox': 1,
    });
    const view = await app.get(ReservationsRepository).findByOrder(pool, orderId);
    expect(view).toMatchObject({ status: 'active', held: [{ skuId: a }, { skuId: b }] });
    const levels = await app.get(StockLevelsRepository).findBySkus(pool, [a, b]);
    const reservedAndAvailable = levels.map((level) => [
      level.skuId,
      [level.reserved, level.available],
    ]);
    expect(Object.fromEntries(reservedAndAvailable)).toEqual({ [a]: [1, 99], [b]: [2, 98] });
  });

  it('OrderConfirmed: found and locked in one statement, decided as the reserve left it, no SKU lock', async () => {
    const { orderId } = await reservedOneUnit();

    const counts = await statementsOf((client) =>
      reservations.confirm(client, { orderId }, context()),
    );

    expect(counts).toEqual({
      'find and lock reservation': 1,
      // No read: the reservation as this process's reserve committed it.
      append: 1,
      'together: update reservation + cancel deadline': 1,
    });
    expect(await app.get(ReservationsRepository).findByOrder(pool, orderId)).toMatchObject({
      status: 'firm',
    });
  });

  it('OrderConfirmed on a reservation another instance moved on: the append refuses the memory, the stream is read and decided again', async () => {
    const { orderId, skuId } = await reservedOneUnit();
    const otherInstance = await startInventoryApp(infra);
    try {
      await otherInstance
        .get(InventoryTransactions)
        .run((client) =>
          otherInstance
            .get(ReservationService)
            .release(client, { orderId }, 'order-cancelled', context()),
        );
    } finally {
      await otherInstance.close();
    }

    let confirmed: unknown;
    const counts = await statementsOf(async (client) => {
      confirmed = await reservations.confirm(client, { orderId }, context());
    });

    // Remembered as active, so made firm — refused by the append; released as stored: no-op.
    expect(confirmed).toEqual([]);
    expect(counts).toEqual({ 'find and lock reservation': 1, append: 1, 'load stream': 1 });
    expect(await app.get(ReservationsRepository).findByOrder(pool, orderId)).toMatchObject({
      status: 'released',
    });
    const levels = await app.get(StockLevelsRepository).findBySkus(pool, [skuId]);
    expect(levels.map((level) => level.reserved)).toEqual([0]);
  });

  it('OrderConfirmed on a memory of events the database no longer has: the append refuses it, the stream is read and decided again', async () => {
    const { orderId } = await reservedOneUnit();
    const { reservationId } = (await app.get(ReservationsRepository).findByOrder(pool, orderId))!;
    // The stream is at the remembered version, but its event there is another one: what a
    // crash that lost an asynchronous commit, then a rewrite by another instance, leave behind.
    await pool.query(
      `UPDATE events SET event_id = gen_random_uuid() WHERE stream_id = $1 AND stream_version = 1`,
      [`reservation-${reservationId}`],
    );

    let confirmed: readonly { type: string }[] = [];
    const counts = await statementsOf(async (client) => {
      confirmed = await reservations.confirm(client, { orderId }, context());
    });

    expect(confirmed.map((event) => event.type)).toEqual(['ReservationMadeFirm']);
    expect(counts).toEqual({
      'find and lock reservation': 1,
      append: 2,
      'load stream': 1,
      'together: update reservation + cancel deadline': 1,
    });
  });

  it('OrderCancelled of two SKUs: one lock statement for the SKUs, the rest in one statement', async () => {
    const [a, b] = [await stocked(), await stocked()];
    const orderId = `ord-${randomUUID()}`;
    await transactions.run((client) =>
      reservations.reserveForOrder(
        client,
        {
          orderId,
          channel: 'web',
          lines: [
            { lineId: 'l1', skuId: a, quantity: 1 },
            { lineId: 'l2', skuId: b, quantity: 1 },
          ],
        },
        context(),
      ),
    );

    const counts = await statementsOf((client) =>
      reservations.release(client, { orderId }, 'order-cancelled', context()),
    );

    expect(counts).toEqual({
      'find and lock reservation': 1,
      lock: 1,
      // The reservation, read to decide what to release; the SKUs' streams are decided on as
      // the reservation left them.
      'load stream': 1,
      append: 3,
      'together: stock_levels + update reservation + cancel deadline + outbox': 1,
    });
    const levels = await app.get(StockLevelsRepository).findBySkus(pool, [a, b]);
    expect(levels.map((level) => level.reserved)).toEqual([0, 0]);
  });
});
