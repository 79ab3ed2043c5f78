import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Topics } from '@fulfil/contracts';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import type { Kafka, Producer } from 'kafkajs';
import request from 'supertest';
import {
  collectTopic,
  createTopics,
  kafkaClient,
  kafkaMessageOf,
  READER_TOKEN,
  startInventoryApp,
  waitFor,
  WRITER_TOKEN,
} from './testing/inventory-test-kit';
import {
  orderCancelled,
  orderPlaced,
  orderShipped,
  restockRequested,
} from './testing/order-events.fixture';

// The inventory service as it runs: HTTP with real PostgreSQL, orders and after-sales events
// in over the Kafka protocol (dev broker), its own events out through the outbox relay.

let infra: TestInfrastructure;
let app: INestApplication;
let kafka: Kafka;
let producer: Producer;
let inventoryEvents: Awaited<ReturnType<typeof collectTopic>>;

const http = () => request(app.getHttpServer());
const write = (method: 'post' | 'put', path: string) =>
  http()[method](path).set('Authorization', `Bearer ${WRITER_TOKEN}`);
const read = (path: string) => http().get(path).set('Authorization', `Bearer ${READER_TOKEN}`);
const sku = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  infra = await startTestInfrastructure();
  kafka = kafkaClient(infra.kafkaBrokers);
  await createTopics(kafka);
  producer = kafka.producer();
  await producer.connect();
  app = await startInventoryApp(infra, {
    RESERVATION_TTL_SECONDS: '600',
    LOW_STOCK_THRESHOLD: '2',
  });
  inventoryEvents = await collectTopic(kafka, Topics.inventory);
  for (const [locationId, type] of [
    ['wh-1', 'warehouse'],
    ['wh-2', 'warehouse'],
    ['st-1', 'store'],
  ]) {
    await write('post', '/locations').send({ locationId, type, name: locationId }).expect(201);
  }
});

afterAll(async () => {
  await inventoryEvents?.stop();
  await producer?.disconnect();
  await app?.close();
  await infra?.stop();
});

const publish = (topic: string, event: Parameters<typeof kafkaMessageOf>[0], id?: string) =>
  producer.send({ topic, messages: [kafkaMessageOf(event, id)] });

const reservedFor = (orderId: string) =>
  inventoryEvents.ofType('fulfil.inventory.StockReserved.v1').filter((e) => e.orderId === orderId);
const releasedFor = (orderId: string) =>
  inventoryEvents.ofType('fulfil.inventory.StockReleased.v1').filter((e) => e.orderId === orderId);

async function receive(skuId: string, locationId: string, quantity: number) {
  const res = await write('post', '/stock/receipts').send({ skuId, locationId, quantity });
  expect(res.status).toBe(201);
  return res;
}

describe('inventory service', () => {
  it('lists locations and books receipts, current in availability at once', async () => {
    const locations = await read('/locations').expect(200);
    expect(locations.body.items.map((l: { locationId: string }) => l.locationId)).toEqual([
      'st-1',
      'wh-1',
      'wh-2',
    ]);
    const skuId = sku('sku-rcv');
    const res = await receive(skuId, 'wh-1', 7);
    expect(res.body.level).toMatchObject({ skuId, onHand: 7, reserved: 0, available: 7 });
    const availability = await read(`/availability/${skuId}`).expect(200);
    expect(availability.body).toEqual({
      skuId,
      available: 7,
      onHand: 7,
      reserved: 0,
      locations: [
        {
          locationId: 'wh-1',
          locationType: 'warehouse',
          onHand: 7,
          reserved: 0,
          available: 7,
          lowStockThreshold: null,
        },
      ],
    });
    await waitFor(
      () =>
        inventoryEvents
          .ofType('fulfil.inventory.AvailabilityChanged.v1')
          .find((e) => e.skuId === skuId && e.available === 7),
      'AvailabilityChanged',
    );
    expect(
      inventoryEvents.ofType('fulfil.inventory.StockReceived.v1').filter((e) => e.skuId === skuId),
    ).toEqual([expect.objectContaining({ skuId, quantity: 7, onHand: 7, available: 7 })]);
  });

  it('reserves on OrderPlaced (preferred store first), releases on OrderCancelled', async () => {
    const skuId = sku('sku-order');
    await receive(skuId, 'wh-1', 10);
    await receive(skuId, 'st-1', 3);
    const orderId = `ord-${randomUUID()}`;
    await publish(
      Topics.orders,
      orderPlaced(orderId, [{ lineId: 'l1', skuId, quantity: 2 }], 'st-1'),
    );

    const reserved = await waitFor(() => reservedFor(orderId)[0], 'StockReserved');
    expect(reserved).toMatchObject({
      orderId,
      channel: 'app',
      allocations: [
        { lineId: 'l1', skuId, locationId: 'st-1', locationType: 'store', quantity: 2 },
      ],
      shortages: [],
      allocatedElsewhere: false,
    });
    const availability = await read(`/availability/${skuId}`).expect(200);
    expect(availability.body).toMatchObject({ available: 11, reserved: 2, onHand: 13 });
    const reservation = await read(`/reservations?orderId=${orderId}`).expect(200);
    expect(reservation.body.items).toEqual([
      expect.objectContaining({ reservationId: reserved.reservationId, status: 'active' }),
    ]);
    // st-1 fell from 3 to 1 available: at or below LOW_STOCK_THRESHOLD=2.
    await waitFor(
      () =>
        inventoryEvents
          .ofType('fulfil.inventory.LowStockDetected.v1')
          .find((e) => e.skuId === skuId && e.locationId === 'st-1' && e.available === 1),
      'LowStockDetected',
    );

    await publish(Topics.orders, orderCancelled(orderId, 'payment-failed'));
    const released = await waitFor(() => releasedFor(orderId)[0], 'StockReleased');
    expect(released).toMatchObject({
      reservationId: reserved.reservationId,
      reason: 'payment-failed',
      allocations: [expect.objectContaining({ locationId: 'st-1', quantity: 2 })],
    });
    const after = await read(`/availability/${skuId}`).expect(200);
    expect(after.body).toMatchObject({ available: 13, reserved: 0 });
    const gone = await read(`/reservations/${reserved.reservationId}`).expect(200);
    expect(gone.body).toMatchObject({ status: 'released', held: [] });
  });

  it('a duplicate delivery of OrderPlaced makes one reservation', async () => {
    const skuId = sku('sku-dup');
    await receive(skuId, 'wh-2', 5);
    const orderId = `ord-${randomUUID()}`;
    const eventId = randomUUID();
    const placed = orderPlaced(orderId, [{ lineId: 'l1', skuId, quantity: 1 }]);
    await publish(Topics.orders, placed, eventId);
    await publish(Topics.orders, placed, eventId);
    await waitFor(() => reservedFor(orderId).length, 'the order reserved');
    // The inbox counts the second delivery as a duplicate once it has consumed it.
    await waitFor(async () => {
      const metrics = await http().get('/metrics');
      return /inbox_duplicates_total\{group="inventory"[^}]*\} [1-9]/.test(metrics.text);
    }, 'the duplicate consumed');
    expect(reservedFor(orderId)).toHaveLength(1);
    const availability = await read(`/availability/${skuId}`).expect(200);
    expect(availability.body).toMatchObject({ available: 4, reserved: 1 });
  });

  it('reports shortages (partial), fails when nothing is there, and commits on shipment', async () => {
    const skuId = sku('sku-partial');
    const missing = sku('sku-never');
    await receive(skuId, 'wh-1', 2);
    await receive(skuId, 'wh-2', 1);
    const partial = `ord-${randomUUID()}`;
    await publish(
      Topics.orders,
      orderPlaced(partial, [
        { lineId: 'l1', skuId, quantity: 4 },
        { lineId: 'l2', skuId: missing, quantity: 1 },
      ]),
    );
    const reserved = await waitFor(() => reservedFor(partial)[0], 'StockReserved');
    expect(reserved.allocations).toEqual([
      expect.objectContaining({ locationId: 'wh-1', quantity: 2 }),
      expect.objectContaining({ locationId: 'wh-2', quantity: 1 }),
    ]);
    expect(reserved.shortages).toEqual([
      { lineId: 'l1', skuId, requested: 4, available: 3 },
      { lineId: 'l2', skuId: missing, requested: 1, available: 0 },
    ]);

    const failedOrder = `ord-${randomUUID()}`;
    await publish(Topics.orders, orderPlaced(failedOrder, [{ lineId: 'l1', skuId, quantity: 1 }]));
    const failed = await waitFor(
      () =>
        inventoryEvents
          .ofType('fulfil.inventory.StockReservationFailed.v1')
          .find((e) => e.orderId === failedOrder),
      'StockReservationFailed',
    );
    expect(failed).toMatchObject({
      reason: 'insufficient-stock',
      shortages: [{ lineId: 'l1', skuId, requested: 1, available: 0 }],
    });

    await publish(
      Topics.orders,
      orderShipped(partial, [{ lineId: 'l1', skuId, quantity: 3 }], true),
    );
    const committed = await waitFor(
      () =>
        inventoryEvents
          .ofType('fulfil.inventory.StockCommitted.v1')
          .find((e) => e.orderId === partial),
      'StockCommitted',
    );
    expect(committed).toMatchObject({ shipmentId: `shp-${partial}` });
    const availability = await read(`/availability/${skuId}`).expect(200);
    expect(availability.body).toMatchObject({ onHand: 0, reserved: 0, available: 0 });
  });

  it('restocks inspected returns from after-sales', async () => {
    const skuId = sku('sku-return');
    await receive(skuId, 'wh-1', 1);
    const caseId = `case-${randomUUID()}`;
    await publish(Topics.afterSales, restockRequested(caseId, 'wh-1', [{ skuId, quantity: 2 }]));
    const restocked = await waitFor(
      () =>
        inventoryEvents
          .ofType('fulfil.inventory.StockRestocked.v1')
          .find((e) => e.caseId === caseId),
      'StockRestocked',
    );
    expect(restocked).toMatchObject({ skuId, locationId: 'wh-1', quantity: 2, onHand: 3 });
    const availability = await read(`/availability?skuIds=${skuId},unknown-sku`).expect(200);
    expect(availability.body).toMatchObject({
      items: [{ skuId, available: 3 }],
      unknownSkuIds: ['unknown-sku'],
    });
  });

  it('adjusts stock and thresholds, never below what is reserved', async () => {
    const skuId = sku('sku-adjust');
    await receive(skuId, 'wh-1', 5);
    const orderId = `ord-${randomUUID()}`;
    await publish(Topics.orders, orderPlaced(orderId, [{ lineId: 'l1', skuId, quantity: 3 }]));
    await waitFor(() => reservedFor(orderId).length, 'StockReserved');

    const refused = await write('post', '/stock/adjustments').send({
      skuId,
      locationId: 'wh-1',
      delta: -3,
      reason: 'damaged',
    });
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'INVENTORY.ADJUSTMENT_BELOW_RESERVED' });

    const adjusted = await write('post', '/stock/adjustments')
      .send({ skuId, locationId: 'wh-1', delta: -2, reason: 'damaged' })
      .expect(201);
    expect(adjusted.body.level).toMatchObject({ onHand: 3, reserved: 3, available: 0 });

    const threshold = await write('put', `/stock/${skuId}/locations/wh-1/threshold`)
      .send({ threshold: 4 })
      .expect(200);
    expect(threshold.body).toMatchObject({ lowStockThreshold: 4 });
  });

  it('answers bad input with problem details and stores nothing', async () => {
    const skuId = sku('sku-bad');
    const cases: [string, () => request.Test, number][] = [
      [
        'zero quantity',
        () => write('post', '/stock/receipts').send({ skuId, locationId: 'wh-1', quantity: 0 }),
        400,
      ],
      [
        'negative quantity',
        () => write('post', '/stock/receipts').send({ skuId, locationId: 'wh-1', quantity: -3 }),
        400,
      ],
      [
        'wrong type',
        () => write('post', '/stock/receipts').send({ skuId, locationId: 'wh-1', quantity: '5' }),
        400,
      ],
      [
        'unknown field',
        () =>
          write('post', '/stock/receipts').send({
            skuId,
            locationId: 'wh-1',
            quantity: 1,
            extra: 1,
          }),
        400,
      ],
      [
        'unknown location',
        () => write('post', '/stock/receipts').send({ skuId, locationId: 'nowhere', quantity: 1 }),
        422,
      ],
      [
        'zero delta',
        () =>
          write('post', '/stock/adjustments').send({
            skuId,
            locationId: 'wh-1',
            delta: 0,
            reason: 'lost',
          }),
        400,
      ],
      [
        'bad reason',
        () =>
          write('post', '/stock/adjustments').send({
            skuId,
            locationId: 'wh-1',
            delta: 1,
            reason: 'stolen',
          }),
        400,
      ],
      [
        'unknown SKU adjustment',
        () =>
          write('post', '/stock/adjustments').send({
            skuId,
            locationId: 'wh-1',
            delta: 1,
            reason: 'found',
          }),
        404,
      ],
      [
        'unknown SKU threshold',
        () => write('put', `/stock/${skuId}/locations/wh-1/threshold`).send({ threshold: 1 }),
        404,
      ],
      [
        'negative threshold',
        () => write('put', `/stock/${skuId}/locations/wh-1/threshold`).send({ threshold: -1 }),
        400,
      ],
      [
        'bad location type',
        () => write('post', '/locations').send({ locationId: 'x', type: 'shed', name: 'x' }),
        400,
      ],
      [
        'location id taken',
        () =>
          write('post', '/locations').send({ locationId: 'wh-1', type: 'store', name: 'other' }),
        409,
      ],
      ['no skuIds', () => read('/availability'), 400],
      ['unknown SKU availability', () => read(`/availability/${skuId}`), 404],
      ['unknown reservation', () => read('/reservations/nope'), 404],
      ['no token', () => http().get('/locations'), 401],
      [
        'read-only token writes',
        () =>
          http()
            .post('/locations')
            .set('Authorization', `Bearer ${READER_TOKEN}`)
            .send({ locationId: 'y', type: 'store', name: 'y' }),
        403,
      ],
    ];
    for (const [name, send, status] of cases) {
      const res = await send();
      expect({ name, status: res.status }).toEqual({ name, status });
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.type).toMatch(/^https:\/\/fulfil\.dev\/problems\//);
    }
    await read(`/availability/${skuId}`).expect(404);
    const locations = await read('/locations').expect(200);
    expect(locations.body.items).toHaveLength(3);
  });

  it('a repeated receipt id books once; reused for other goods is a conflict', async () => {
    const skuId = sku('sku-receipt');
    const receiptId = `rcpt-${randomUUID()}`;
    await write('post', '/stock/receipts')
      .send({ skuId, locationId: 'wh-1', quantity: 4, receiptId })
      .expect(201);
    const again = await write('post', '/stock/receipts')
      .send({ skuId, locationId: 'wh-1', quantity: 4, receiptId })
      .expect(201);
    expect(again.body).toMatchObject({ replayed: true, level: { onHand: 4 } });
    const other = await write('post', '/stock/receipts').send({
      skuId,
      locationId: 'wh-1',
      quantity: 5,
      receiptId,
    });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'INVENTORY.RECEIPT_ID_REUSED' });
  });
});
