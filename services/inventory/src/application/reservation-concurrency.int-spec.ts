import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { EventStore } from '@fulfil/event-store';
import { PG_POOL } from '@fulfil/messaging';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import fc from 'fast-check';
import type { Pool } from 'pg';
import type { ReservationEvent } from '../domain/reservation/reservation.events';
import type { LocationType } from '../domain/stock/stock.types';
import { LocationsRepository } from '../infrastructure/locations.repository';
import { StockLevelsRepository } from '../infrastructure/stock-levels.repository';
import { startInventoryApp } from '../testing/inventory-test-kit';
import type { CommandContext } from './command-context';
import { InventoryTransactions } from './inventory-transactions';
import { ReservationService, type OrderToReserve } from './reservation.service';
import { SkuStockLedger } from './sku-stock.ledger';
import { StockService } from './stock.service';

// No oversell under real concurrency (R-INV-2): many reservations, each in its own transaction
// on its own pooled connection, race for the same SKU against one PostgreSQL.

let infra: TestInfrastructure;
let app: INestApplication;
let pool: Pool;
let transactions: InventoryTransactions;
let reservations: ReservationService;
let stock: StockService;
let levels: StockLevelsRepository;

const LOCATIONS: { id: string; type: LocationType }[] = [
  { id: 'wh-1', type: 'warehouse' },
  { id: 'wh-2', type: 'warehouse' },
  { id: 'st-1', type: 'store' },
  { id: 'st-2', type: 'store' },
];

const context = (): CommandContext => ({
  correlationId: randomUUID(),
  actor: 'test',
  now: new Date(),
});

beforeAll(async () => {
  infra = await startTestInfrastructure();
  app = await startInventoryApp(infra);
  pool = app.get<Pool>(PG_POOL);
  transactions = app.get(InventoryTransactions);
  reservations = app.get(ReservationService);
  stock = app.get(StockService);
  levels = app.get(StockLevelsRepository);
  const locations = app.get(LocationsRepository);
  for (const { id, type } of LOCATIONS) {
    await locations.insert(pool, { locationId: id, type, name: id, regionCode: null });
  }
});

afterAll(async () => {
  await app?.close();
  await infra?.stop();
});

const reserve = (order: OrderToReserve) =>
  transactions.run((client) => reservations.reserveForOrder(client, order, context()));

const oneUnit = (skuId: string, i: number): OrderToReserve => ({
  orderId: `ord-${skuId}-${i}`,
  channel: 'web',
  lines: [{ lineId: 'l1', skuId, quantity: 1 }],
});

/** The outcome events of the reservations, by type. */
function outcomes(results: { events: readonly ReservationEvent[] }[]) {
  const events = results.flatMap((r) => r.events);
  return {
    made: events.filter((e) => e.type === 'ReservationMade'),
    failed: events.filter((e) => e.type === 'ReservationFailed'),
  };
}

/** The SKU's state folded from its event stream, which must agree with the read model. */
async function assertStreamMatchesReadModel(skuId: string): Promise<void> {
  const ledger = app.get(SkuStockLedger);
  const state = await transactions.run((client) => ledger.load(client, skuId));
  const rows = await levels.findBySkus(pool, [skuId]);
  expect(
    rows.map((r) => ({ locationId: r.locationId, onHand: r.onHand, reserved: r.reserved })),
  ).toEqual(
    Object.entries(state.locations)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([locationId, s]) => ({ locationId, onHand: s.onHand, reserved: s.reserved })),
  );
}

describe('reservations under concurrency (real PostgreSQL)', () => {
  it('200 racing one-unit reservations for 50 units over 3 locations: exactly 50 reserved', async () => {
    const skuId = `sku-race-${randomUUID().slice(0, 8)}`;
    for (const [locationId, quantity] of [
      ['wh-1', 20],
      ['wh-2', 20],
      ['st-1', 10],
    ] as const) {
      await stock.receive({ skuId, locationId, quantity }, context());
    }
    expect(app.get<Pool>(PG_POOL).options.max).toBeGreaterThanOrEqual(10);

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => reserve(oneUnit(skuId, i))),
    );

    const { made, failed } = outcomes(results);
    expect(made).toHaveLength(50);
    expect(failed).toHaveLength(150);
    for (const event of failed) {
      expect(event.data).toMatchObject({ reason: 'insufficient-stock' });
    }
    const allocated = made.flatMap((e) => (e.type === 'ReservationMade' ? e.data.allocations : []));
    const perLocation = new Map<string, number>();
    for (const a of allocated) {
      perLocation.set(a.locationId, (perLocation.get(a.locationId) ?? 0) + a.quantity);
    }
    expect(Object.fromEntries(perLocation)).toEqual({ 'wh-1': 20, 'wh-2': 20, 'st-1': 10 });

    const rows = await levels.findBySkus(pool, [skuId]);
    expect(rows.map((r) => [r.locationId, r.onHand, r.reserved, r.available])).toEqual([
      ['st-1', 10, 10, 0],
      ['wh-1', 20, 20, 0],
      ['wh-2', 20, 20, 0],
    ]);
    await assertStreamMatchesReadModel(skuId);
    // One stream per SKU: 3 receipts + 50 reservations + low-stock signals, no gaps.
    const streamEvents = await app.get(EventStore).readStream(`sku-${skuId}`);
    expect(streamEvents.filter((e) => e.type === 'StockReserved')).toHaveLength(50);
  });

  it('the read model refuses oversell even if the code above it did not (CHECK constraints)', async () => {
    const skuId = `sku-check-${randomUUID().slice(0, 8)}`;
    await stock.receive({ skuId, locationId: 'wh-1', quantity: 2 }, context());
    await expect(
      pool.query(`UPDATE stock_levels SET reserved = 3 WHERE sku_id = $1`, [skuId]),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('random layouts and concurrent order mixes: never below zero, reserved = min(demand, stock)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.array(
          fc.record({
            quantity: fc.integer({ min: 1, max: 3 }),
            store: fc.option(fc.constantFrom('st-1', 'st-2'), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (quantities, orders) => {
          const skuId = `sku-prop-${randomUUID().slice(0, 8)}`;
          const stocked = quantities
            .map((quantity, i) => ({ locationId: LOCATIONS[i]!.id, quantity }))
            .filter((s) => s.quantity > 0);
          for (const s of stocked) await stock.receive({ skuId, ...s }, context());
          const totalStock = stocked.reduce((sum, s) => sum + s.quantity, 0);
          const demand = orders.reduce((sum, o) => sum + o.quantity, 0);

          const results = await Promise.all(
            orders.map((o, i) =>
              reserve({
                orderId: `ord-${skuId}-${i}`,
                channel: 'app',
                ...(o.store ? { storeId: o.store } : {}),
                lines: [{ lineId: 'l1', skuId, quantity: o.quantity }],
              }),
            ),
          );

          const { made, failed } = outcomes(results);
          expect(made.length + failed.length).toBe(orders.length);
          let reserved = 0;
          for (const event of made) {
            if (event.type !== 'ReservationMade') continue;
            const requested = event.data.lines[0]!.quantity;
            const served = event.data.allocations.reduce((sum, a) => sum + a.quantity, 0);
            const short = event.data.shortages.reduce((s, x) => s + x.requested - x.available, 0);
            expect(served + short).toBe(requested);
            reserved += served;
          }
          // Splitting is allowed (default), so every unit in stock serves some demand.
          expect(reserved).toBe(Math.min(demand, totalStock));
          const rows = totalStock === 0 ? [] : await levels.findBySkus(pool, [skuId]);
          for (const row of rows) {
            expect(row.available).toBeGreaterThanOrEqual(0);
            expect(row.reserved).toBeLessThanOrEqual(row.onHand);
          }
          expect(rows.reduce((sum, r) => sum + r.reserved, 0)).toBe(reserved);
          if (totalStock > 0) await assertStreamMatchesReadModel(skuId);
        },
      ),
      { numRuns: 15 },
    );
  });
});
