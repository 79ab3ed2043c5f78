import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { PG_POOL } from '@fulfil/messaging';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import type { Pool } from 'pg';
import { LocationsRepository } from '../infrastructure/locations.repository';
import { ReservationsRepository } from '../infrastructure/reservations.repository';
import { StockLevelsRepository } from '../infrastructure/stock-levels.repository';
import { startInventoryApp, waitFor } from '../testing/inventory-test-kit';
import type { CommandContext } from './command-context';
import { InventoryTransactions } from './inventory-transactions';
import { expiryDeadlineId } from './reservation.ledger';
import { ReservationService } from './reservation.service';
import { StockService } from './stock.service';

// Expiry through the real deadline scheduler (RESERVATION_TTL_SECONDS=1): an unconfirmed
// reservation is released; a confirmed one loses its deadline and keeps its stock.

let infra: TestInfrastructure;
let app: INestApplication;
let pool: Pool;

const context = (): CommandContext => ({
  correlationId: randomUUID(),
  actor: 'test',
  now: new Date(),
});

beforeAll(async () => {
  infra = await startTestInfrastructure();
  app = await startInventoryApp(infra, { RESERVATION_TTL_SECONDS: '1' });
  pool = app.get<Pool>(PG_POOL);
  await app
    .get(LocationsRepository)
    .insert(pool, { locationId: 'wh-1', type: 'warehouse', name: 'wh-1', regionCode: null });
});

afterAll(async () => {
  await app?.close();
  await infra?.stop();
});

it('releases an unconfirmed reservation when it expires; a confirmed one stays', async () => {
  const transactions = app.get(InventoryTransactions);
  const reservations = app.get(ReservationService);
  const skuId = `sku-${randomUUID().slice(0, 8)}`;
  await app.get(StockService).receive({ skuId, locationId: 'wh-1', quantity: 5 }, context());
  const reserve = (orderId: string) =>
    transactions.run((client) =>
      reservations.reserveForOrder(
        client,
        { orderId, channel: 'web', lines: [{ lineId: 'l1', skuId, quantity: 2 }] },
        context(),
      ),
    );
  const unpaid = await reserve(`ord-unpaid-${skuId}`);
  const paid = await reserve(`ord-paid-${skuId}`);
  await transactions.run((client) =>
    reservations.confirm(client, { orderId: `ord-paid-${skuId}` }, context()),
  );
  const { rows: deadlines } = await pool.query(
    'SELECT deadline_id FROM deadlines WHERE deadline_id = ANY($1)',
    [[expiryDeadlineId(unpaid.reservationId), expiryDeadlineId(paid.reservationId)]],
  );
  expect(deadlines.map((d: { deadline_id: string }) => d.deadline_id)).toEqual([
    expiryDeadlineId(unpaid.reservationId),
  ]);

  const read = app.get(ReservationsRepository);
  const expired = await waitFor(async () => {
    const view = await read.find(pool, unpaid.reservationId);
    return view?.status === 'released' ? view : undefined;
  }, 'the unpaid reservation released');
  expect(expired.held).toEqual([]);
  expect(await read.find(pool, paid.reservationId)).toMatchObject({
    status: 'firm',
    held: [expect.objectContaining({ quantity: 2 })],
  });
  const [level] = await app.get(StockLevelsRepository).findBySkus(pool, [skuId]);
  expect(level).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
  const { rows: published } = await pool.query(
    `SELECT convert_from(value, 'UTF8')::jsonb AS data FROM outbox
      WHERE headers->>'ce_type' = 'fulfil.inventory.StockReleased.v1'`,
  );
  expect(published.map((row: { data: unknown }) => row.data)).toEqual([
    expect.objectContaining({ reservationId: unpaid.reservationId, reason: 'reservation-expired' }),
  ]);
});
