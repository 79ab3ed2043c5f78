import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import request from 'supertest';
import { OrderCommandRunner } from '../application/order-command.runner';
import { orderIdFor, orderNumberFor } from '../application/order-identity';
import {
  cny,
  orderBody,
  READER,
  startOrdersApp,
  storedCounts,
  waitFor,
  WRITER,
  type OrdersTestApp,
} from '../testing/orders-test-app.fixture';

let infra: TestInfrastructure;
let orders: OrdersTestApp;

beforeAll(async () => {
  infra = await startTestInfrastructure();
  orders = await startOrdersApp(infra);
});

afterAll(async () => {
  await orders?.stop();
  await infra?.stop();
});

const post = (body: object, key?: string, token = WRITER) => {
  const req = request(orders.http).post('/orders').set('Authorization', `Bearer ${token}`);
  if (key) req.set('Idempotency-Key', key);
  return req.send(body);
};
const get = (path: string, token = READER) =>
  request(orders.http).get(path).set('Authorization', `Bearer ${token}`);
const cancel = (orderId: string, body: object = {}) =>
  request(orders.http)
    .post(`/orders/${orderId}/cancel`)
    .set('Authorization', `Bearer ${WRITER}`)
    .send(body);

const eventsOf = async (orderId: string) =>
  (
    await orders.pool.query<{ event_type: string }>(
      'SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version',
      [`order-${orderId}`],
    )
  ).rows.map((row) => row.event_type);

const outboxOf = async (orderId: string) =>
  (
    await orders.pool.query<{ type: string; value: Buffer }>(
      `SELECT headers->>'ce_type' AS type, value FROM outbox WHERE key = $1 ORDER BY position`,
      [orderId],
    )
  ).rows;

describe('POST /orders', () => {
  it('places an order: 201, Location, server-computed totals, the placed timeline', async () => {
    const body = orderBody({ storeId: 'store-sz-7' });
    const res = await post(body, 'place-1');
    expect(res.status).toBe(201);
    const order = res.body;
    expect(order.orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.location).toBe(`/orders/${order.orderId}`);
    expect(order.orderNumber).toMatch(/^ORD-\d{8}-[0-9A-HJKMNP-TV-Z]{6}$/);
    expect(order).toMatchObject({
      status: 'placed',
      customerId: body.customerId,
      channel: 'mini-program',
      storeId: 'store-sz-7',
      paymentMethod: 'wechat-pay',
      paymentStatus: 'pending',
      deliveryRegion: { countryCode: 'CN', regionCode: 'CN-GD', cityCode: 'SZ' },
      totals: { subtotal: cny(13400), shipping: cny(800), discount: cny(500), total: cny(13700) },
      version: 1,
    });
    expect(order.lines).toEqual([
      expect.objectContaining({ lineId: 'L1', handling: 'ambient', lineTotal: cny(9800) }),
      expect.objectContaining({ lineId: 'L2', handling: 'chilled', lineTotal: cny(3600) }),
    ]);
    expect(order.timeline).toEqual([
      { type: 'OrderPlaced', status: 'placed', reason: 'customer-checkout', at: order.placedAt },
    ]);
    expect(JSON.stringify(order)).not.toContain('Wang Xiaoming');

    expect(await eventsOf(order.orderId)).toEqual(['OrderPlaced']);
    const outbox = await outboxOf(order.orderId);
    expect(outbox.map((row) => row.type)).toEqual(['fulfil.orders.OrderPlaced.v1']);
    // The address stays in its own table: not in the log, not in the message.
    const { rows: logged } = await orders.pool.query(
      `SELECT data::text AS data FROM events WHERE stream_id = $1`,
      [`order-${order.orderId}`],
    );
    for (const text of [logged[0].data, outbox[0]!.value.toString()]) {
      expect(text).not.toContain('Wang Xiaoming');
      expect(text).not.toContain('138 0013 8000');
      expect(text).not.toContain('Keji Yuan');
    }
    const address = await get(`/orders/${order.orderId}/delivery-address`);
    expect(address.status).toBe(200);
    expect(address.body).toEqual(body.deliveryAddress);
  });

  it('answers a retry with the same key and body with the same order, stored once', async () => {
    const body = orderBody();
    const first = await post(body, 'retry-1');
    const again = await post(body, 'retry-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(again.headers['location']).toBe(first.headers['location']);
    expect(await eventsOf(first.body.orderId)).toEqual(['OrderPlaced']);
    expect(await outboxOf(first.body.orderId)).toHaveLength(1);
  });

  it('commits the answer with the order: stored by the placement, not after it', async () => {
    const res = await post(orderBody(), 'answer-with-order');
    expect(res.status).toBe(201);
    const { rows } = await orders.pool.query<{ state: string; held: boolean; body: string }>(
      `SELECT state, lock_token IS NOT NULL AS held, convert_from(response_body, 'UTF8') AS body
         FROM idempotency_keys WHERE idempotency_key = 'answer-with-order'`,
    );
    // The interceptor's own store of an answer gives the lock up; the placement's keeps it.
    expect(rows).toEqual([{ state: 'completed', held: true, body: res.text }]);
  });

  it('places an order whose number another order of the day already has under the next one', async () => {
    const key = `taken-number-${Date.now()}`;
    const orderId = orderIdFor('storefront', key);
    // Another order holding the number this one would get today (and tomorrow, past midnight).
    const existing = await post(orderBody(), `holder-${key}`);
    const day = Date.now();
    for (const at of [day, day + 86_400_000]) {
      const taken = orderNumberFor(orderId, new Date(at).toISOString());
      await orders.pool.query(
        `INSERT INTO order_summaries
         SELECT (jsonb_populate_record(NULL::order_summaries,
                   to_jsonb(s) || jsonb_build_object('order_id', $1::text, 'order_number', $2::text))).*
           FROM order_summaries s WHERE order_id = $3`,
        [`holder-${at}-${existing.body.orderId}`, taken, existing.body.orderId],
      );
    }
    const res = await post(orderBody(), key);
    expect(res.status).toBe(201);
    expect(res.body.orderId).toBe(orderId);
    expect(res.body.orderNumber).toBe(orderNumberFor(orderId, res.body.placedAt, 1));
    expect(await eventsOf(orderId)).toEqual(['OrderPlaced']);
    expect((await get(`/orders/${orderId}`)).body.orderNumber).toBe(res.body.orderNumber);
  });

  it('refuses the same key with another body with 422', async () => {
    const first = await post(orderBody(), 'reuse-1');
    expect(first.status).toBe(201);
    const other = await post(orderBody(), 'reuse-1');
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('https://fulfil.dev/problems/idempotency-key-reused');
  });

  it('places one order for concurrent requests with one key', async () => {
    const body = orderBody();
    const answers = await Promise.all(Array.from({ length: 4 }, () => post(body, 'race-1')));
    // A request meeting the first one's placement in progress gets 409 (its key guard); one
    // after it committed gets its answer replayed.
    const statuses = answers.map((res) => res.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const placed = answers.filter((res) => res.status === 201);
    expect(placed.length).toBeGreaterThanOrEqual(1);
    expect(new Set(placed.map((res) => res.text)).size).toBe(1);
    const fresh = placed.filter((res) => res.headers['idempotent-replayed'] !== 'true');
    expect(fresh).toHaveLength(1);
    for (const res of answers.filter((answer) => answer.status === 409)) {
      expect(res.body.type).toBe('https://fulfil.dev/problems/idempotency-key-in-progress');
    }
    const { rows } = await orders.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM order_summaries WHERE customer_id = $1`,
      [body.customerId],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('answers 409 to a request with the key of a placement still in its transaction', async () => {
    const body = orderBody();
    // The first placement waits on this lock after its key guard and append, before its commit.
    const blocker = await orders.pool.connect();
    let first: Promise<request.Response> | undefined;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE order_summaries IN EXCLUSIVE MODE');
      first = post(body, 'in-progress-1').then((res) => res);
      const { rows: me } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await waitFor(async () => {
        const { rows } = await orders.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`,
          [me[0]!.pid],
        );
        return rows[0]!.n === 1;
      }, 'the placement waiting on the table lock');
      const during = await post(body, 'in-progress-1');
      expect(during.status).toBe(409);
      expect(during.body.type).toBe('https://fulfil.dev/problems/idempotency-key-in-progress');
      expect(during.headers['retry-after']).toBe('1');
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    const placed = await first;
    expect(placed.status).toBe(201);
    const again = await post(body, 'in-progress-1');
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(placed.text);
    expect(await eventsOf(placed.body.orderId)).toEqual(['OrderPlaced']);
  });

  it('is idempotent even when the stored answer is gone (the key expired and was purged)', async () => {
    const body = orderBody();
    const first = await post(body, 'crash-1');
    expect(first.status).toBe(201);
    // As if the key had expired and been purged, the order staying.
    await orders.pool.query(`DELETE FROM idempotency_keys WHERE idempotency_key = 'crash-1'`);
    const retry = await post(body, 'crash-1');
    expect(retry.status).toBe(201);
    expect(retry.body.orderId).toBe(first.body.orderId);
    expect(await eventsOf(first.body.orderId)).toEqual(['OrderPlaced']);

    await orders.pool.query(`DELETE FROM idempotency_keys WHERE idempotency_key = 'crash-1'`);
    const other = await post({ ...body, paymentMethod: 'alipay' }, 'crash-1');
    expect(other.status).toBe(422);
    expect(await eventsOf(first.body.orderId)).toEqual(['OrderPlaced']);
  });

  const withLine = (change: object) => {
    const body = orderBody();
    return { ...body, lines: [{ ...body.lines[0], ...change }, body.lines[1]] };
  };

  const secondLineIn = (currency: string) => {
    const body = orderBody();
    return {
      ...body,
      lines: [body.lines[0], { ...body.lines[1], unitPrice: { amountMinor: 100, currency } }],
    };
  };

  it.each([
    ['a quantity of the wrong type', withLine({ quantity: '2' }), 'lines[0].quantity'],
    ['a negative quantity', withLine({ quantity: -1 }), 'lines[0].quantity'],
    [
      'a fractional price',
      withLine({ unitPrice: { amountMinor: 1.5, currency: 'CNY' } }),
      'lines[0].unitPrice.amountMinor',
    ],
    [
      'a lowercase currency',
      withLine({ unitPrice: { amountMinor: 1, currency: 'cny' } }),
      'lines[0].unitPrice.currency',
    ],
    ['an unknown handling class', withLine({ handling: 'hot' }), 'lines[0].handling'],
    ['no lines', orderBody({ lines: [] }), 'lines'],
    ['an unknown field', orderBody({ coupon: 'FREE' }), 'coupon'],
    ['an unknown nested field', withLine({ colour: 'red' }), 'lines[0].colour'],
    ['an unknown channel', orderBody({ channel: 'fax' }), 'channel'],
    ['an unknown payment method', orderBody({ paymentMethod: 'cheque' }), 'paymentMethod'],
    ['no delivery address', orderBody({ deliveryAddress: undefined }), 'deliveryAddress'],
    ['lines in two currencies', secondLineIn('USD'), 'lines[1].unitPrice.currency'],
    [
      'shipping in another currency',
      orderBody({ shipping: { amountMinor: 1, currency: 'USD' } }),
      'shipping.currency',
    ],
    [
      'a discount above subtotal + shipping',
      orderBody({ discount: cny(14201) }),
      'discount.amountMinor',
    ],
    ['cash in store without a store', orderBody({ paymentMethod: 'cash-in-store' }), 'storeId'],
    [
      'a region outside the country',
      orderBody({ deliveryAddress: { ...orderBody().deliveryAddress, regionCode: 'US-CA' } }),
      'deliveryAddress.regionCode',
    ],
  ])('refuses %s with 400 naming the field, storing nothing', async (_what, body, field) => {
    const before = await storedCounts(orders.pool);
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe('https://fulfil.dev/problems/validation-error');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await storedCounts(orders.pool)).toEqual(before);
  });

  it('needs a token with orders:write', async () => {
    const anonymous = await request(orders.http).post('/orders').send(orderBody());
    expect(anonymous.status).toBe(401);
    const reader = await post(orderBody(), undefined, READER);
    expect(reader.status).toBe(403);
  });
});

describe('GET /orders', () => {
  it('answers 404 for an unknown order and 400 for an id that is no UUID', async () => {
    const missing = await get('/orders/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('https://fulfil.dev/problems/order-not-found');
    const malformed = await get('/orders/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: 'orderId', message: 'must be a UUID' }]);
    expect(
      (await request(orders.http).get('/orders/00000000-0000-4000-8000-000000000000')).status,
    ).toBe(401);
  });

  it("pages through a customer's orders, newest first", async () => {
    const customerId = 'cus-pager';
    const placed: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await post(orderBody({ customerId }));
      expect(res.status).toBe(201);
      placed.push(res.body.orderId);
    }
    const first = await get(`/orders?customerId=${customerId}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0]).toMatchObject({
      customerId,
      status: 'placed',
      total: cny(13700),
      paymentMethod: 'wechat-pay',
    });
    const second = await get(
      `/orders?customerId=${customerId}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeUndefined();
    const listed = [...first.body.items, ...second.body.items].map((o) => o.orderId);
    expect(listed).toEqual([...placed].reverse());

    expect((await get(`/orders?customerId=${customerId}&cursor=bogus`)).status).toBe(400);
    expect((await get('/orders')).status).toBe(400);
    expect((await get(`/orders?customerId=${customerId}&limit=0`)).status).toBe(400);
  });
});

describe('POST /orders/{orderId}/cancel', () => {
  it('cancels before shipment and refuses a second cancel with 409', async () => {
    const placed = await post(orderBody());
    const orderId = placed.body.orderId;
    const res = await cancel(orderId, { reason: 'customer-request' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(
      res.body.timeline.map((e: { type: string; reason: string }) => [e.type, e.reason]),
    ).toEqual([
      ['OrderPlaced', 'customer-checkout'],
      ['OrderCancelled', 'customer-request'],
    ]);
    const cancelled = (await outboxOf(orderId))[1]!;
    expect(cancelled.type).toBe('fulfil.orders.OrderCancelled.v1');
    expect(JSON.parse(cancelled.value.toString())).toMatchObject({
      orderId,
      reason: 'customer-request',
      initiatedBy: 'customer',
    });

    const again = await cancel(orderId);
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('https://fulfil.dev/problems/order-already-cancelled');
    expect(await eventsOf(orderId)).toEqual(['OrderPlaced', 'OrderCancelled']);
  });

  it('refuses to cancel a shipped order with 409', async () => {
    const orderId = (await post(orderBody())).body.orderId as string;
    // Drive the order to shipped through the application (logistics comes in a later issue).
    const runner = orders.app.get(OrderCommandRunner);
    const context = { correlationId: 'c-ship', actor: 'test', now: new Date().toISOString() };
    const at = context.now;
    await runner.run(
      orderId,
      {
        type: 'RecordStockReserved',
        data: { reservationId: 'res-9', expiresAt: at, shortages: [], policy: 'cancel', at },
      },
      context,
    );
    await runner.run(
      orderId,
      {
        type: 'RecordPaymentReceived',
        data: {
          paymentId: 'pay-9',
          method: 'wechat-pay',
          amount: cny(13700),
          stage: 'authorised',
          at,
        },
      },
      context,
    );
    await runner.run(
      orderId,
      { type: 'MarkShipped', data: { orderId, shipmentId: 'shp-9', at } },
      context,
    );

    const res = await cancel(orderId);
    expect(res.status).toBe(409);
    expect(res.body.type).toBe('https://fulfil.dev/problems/order-already-shipped');
    expect((await get(`/orders/${orderId}`)).body.status).toBe('shipped');
  });

  it('answers 404 for an unknown order and 400 for an unknown reason', async () => {
    expect((await cancel('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const orderId = (await post(orderBody())).body.orderId as string;
    const res = await cancel(orderId, { reason: 'bored' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('reason');
  });
});
