import { randomUUID } from 'node:crypto';
import { isDomainError } from '@fulfil/decider';
import { withTransaction } from '@fulfil/event-store';
import { PG_POOL } from '@fulfil/messaging';
import {
  recordStatements,
  startTestInfrastructure,
  type TestInfrastructure,
} from '@fulfil/testing';
import type { Pool, PoolClient } from 'pg';
import type { OrderCommand } from '../domain/order.commands';
import { OrderErrorCodes } from '../domain/order.errors';
import { orderBody, startOrdersApp, type OrdersTestApp } from '../testing/orders-test-app.fixture';
import { DeliveryAddressRepository } from '../infrastructure/delivery-address.repository';
import { OrderCommandRunner, type CommandContext } from './order-command.runner';
import { placeOrderCommand } from './place-order.use-case';

// What the runner skips on the happy path (no read before a placement, none for a command
// absorbed on the state its own transaction appended), and that skipping changes no outcome.

let infra: TestInfrastructure;
let orders: OrdersTestApp;
let runner: OrderCommandRunner;
let servicePool: Pool;

beforeAll(async () => {
  infra = await startTestInfrastructure();
  orders = await startOrdersApp(infra);
  runner = orders.app.get(OrderCommandRunner);
  servicePool = orders.app.get<Pool>(PG_POOL);
});

afterAll(async () => {
  await orders?.stop();
  await infra?.stop();
});

const context = (): CommandContext => ({
  correlationId: randomUUID(),
  actor: 'runner-test',
  now: new Date().toISOString(),
});

/** Records the statements `client` runs until `stop()`, which returns them (first words). */
function recordFirstWords(client: PoolClient) {
  const recorded = recordStatements(client);
  return () => {
    const texts = recorded.statements.map(({ text }) => text.split(' ').slice(0, 3).join(' '));
    recorded.restore();
    return texts;
  };
}

/**
 * The statements of the transactions on the service's pool that start and end within `work`
 * (checkouts that append events; the pollers of the outbox and deadlines run plain queries),
 * and their round trips (ReadyForQuery answers). BEGIN and COMMIT are not among the
 * statements: the service's client sends BEGIN with the first one, and a transaction of the
 * runner's own ends with its last one, sent with COMMIT outside `query`, unrecorded.
 */
async function recordCheckouts<T>(work: () => Promise<T>) {
  const texts: string[] = [];
  let roundTrips = 0;
  const recording = new Map<PoolClient, () => { texts: string[]; roundTrips: number }>();
  const onAcquire = (client: PoolClient) => {
    const stop = recordFirstWords(client);
    const connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
    let answers = 0;
    const tally = () => (answers += 1);
    connection.on('readyForQuery', tally);
    recording.set(client, () => {
      connection.off('readyForQuery', tally);
      return { texts: stop(), roundTrips: answers };
    });
  };
  const onRelease = (_error: Error, client: PoolClient) => {
    const checkout = recording.get(client)?.();
    if (checkout?.texts[0] === 'WITH head AS') {
      texts.push(...checkout.texts);
      roundTrips += checkout.roundTrips;
    }
    recording.delete(client);
  };
  servicePool.on('acquire', onAcquire).on('release', onRelease);
  try {
    const result = await work();
    return { result, texts, roundTrips };
  } finally {
    servicePool.off('acquire', onAcquire).off('release', onRelease);
    for (const stop of recording.values()) stop();
  }
}

const isEventRead = (text: string) =>
  text === 'SELECT global_position::text, transaction_id::text,';

/** The address write of a placement, as the place-order use case passes it. */
function addressOf(orderId: string) {
  const body = orderBody();
  return orders.app
    .get(DeliveryAddressRepository)
    .upsert(orderId, body.customerId, body.deliveryAddress as never);
}

async function place() {
  const orderId = randomUUID();
  const command = placeOrderCommand(orderId, orderBody() as never, new Date().toISOString());
  await runner.place(orderId, command, context(), () => [addressOf(orderId)]);
  return { orderId, command };
}

const stockReserved = (orderId: string): OrderCommand => ({
  type: 'RecordStockReserved',
  data: {
    reservationId: `res-${orderId}`,
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    shortages: [],
    policy: 'cancel',
    at: new Date().toISOString(),
  },
});

const paymentReceived = (stage: 'authorised' | 'captured'): OrderCommand => ({
  type: 'RecordPaymentReceived',
  data: {
    paymentId: 'pay-1',
    method: 'wechat-pay',
    amount: { amountMinor: 13700, currency: 'CNY' },
    stage,
    at: new Date().toISOString(),
  },
});

/** One transaction on a connection of the service's pool, counting its reads of streams. */
async function inTransaction<T>(work: (client: PoolClient) => Promise<T>) {
  let client: PoolClient | undefined;
  let texts: string[] = [];
  const result = await withTransaction(servicePool, async (c) => {
    client = c;
    const stop = recordFirstWords(c);
    try {
      return await work(c);
    } finally {
      texts = stop();
    }
  }).catch((error: unknown) => ({ error }));
  return { result, client: client!, eventReads: texts.filter(isEventRead).length };
}

describe('OrderCommandRunner: statements skipped on the happy path', () => {
  it('places an order without reading its stream, with what commits with it in one more statement and COMMIT', async () => {
    await place(); // its statements prepared on the connection (pg's pool reuses the last one)
    const orderId = randomUUID();
    const command = placeOrderCommand(orderId, orderBody() as never, new Date().toISOString());
    const { result, texts, roundTrips } = await recordCheckouts(() =>
      runner.place(orderId, command, context(), () => [addressOf(orderId)]),
    );
    // No read of the stream: BEGIN with the append, then the address, summary, outbox and
    // deadline in one statement with COMMIT (all committed: read below on another connection).
    expect(texts).toEqual(['WITH head AS']);
    expect(roundTrips).toBe(2);
    const { rows } = await orders.pool.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM order_delivery_addresses WHERE order_id = $1) AS address,
              (SELECT count(*)::int FROM order_summaries WHERE order_id = $1) AS summary,
              (SELECT count(*)::int FROM outbox WHERE key = $1) AS outbox,
              (SELECT count(*)::int FROM deadlines WHERE deadline_id = $2) AS deadline`,
      [orderId, `order-confirmation:${orderId}`],
    );
    expect(rows[0]).toEqual({ address: 1, summary: 1, outbox: 1, deadline: 1 });
    expect(result.recorded.map((event) => [event.type, event.streamVersion])).toEqual([
      ['OrderPlaced', 1],
    ]);
    expect(result.state.status).toBe('placed');
  });

  it('answers ORDER.ALREADY_PLACED for a second placement of the stream, storing nothing', async () => {
    const { orderId, command } = await place();
    const error = await runner
      .place(orderId, command, context(), () => [addressOf(orderId)])
      .catch((e: unknown) => e);
    expect(isDomainError(error, OrderErrorCodes.alreadyPlaced)).toBe(true);
    const { rows } = await orders.pool.query(
      'SELECT count(*)::int AS n FROM events WHERE stream_id = $1',
      [`order-${orderId}`],
    );
    expect(rows[0].n).toBe(1);
  });

  it('absorbs the capture after the authorisation in one transaction without reading again', async () => {
    const { orderId } = await place();
    const { result, eventReads } = await inTransaction(async (client) => {
      await runner.run(orderId, stockReserved(orderId), context(), { client });
      const authorised = await runner.run(orderId, paymentReceived('authorised'), context(), {
        client,
      });
      const captured = await runner.run(orderId, paymentReceived('captured'), context(), {
        client,
      });
      return { authorised, captured };
    });
    // Stock reserved is decided on the order as its placement committed it (the event store
    // remembers committed streams); the authorisation and the capture on what the transaction
    // wrote before them.
    expect(eventReads).toBe(0);
    const { authorised, captured } = result as Exclude<typeof result, { error: unknown }>;
    expect(authorised.events.map((e) => e.type)).toEqual(['OrderPaid', 'OrderConfirmed']);
    expect(captured.events).toEqual([]);
    expect(captured.state).toEqual(authorised.state);
    expect(captured.nextExpectedVersion).toBe(4);
  });

  it('checks a repeated command in the next transaction against the stored stream, also on the same connection', async () => {
    const { orderId } = await place();
    const first = await inTransaction((client) =>
      runner.run(orderId, stockReserved(orderId), context(), { client }),
    );
    const second = await inTransaction((client) =>
      runner.run(orderId, stockReserved(orderId), context(), { client }),
    );
    expect(second.client).toBe(first.client);
    expect(second.eventReads).toBe(1);
  });

  it('forgets what a rolled-back transaction appended', async () => {
    const { orderId } = await place();
    const rolledBack = await inTransaction(async (client) => {
      await runner.run(orderId, stockReserved(orderId), context(), { client });
      throw new Error('rolled back');
    });
    expect(rolledBack.result).toMatchObject({ error: new Error('rolled back') });
    // On the connection whose rolled-back transaction appended OrderStockReserved, the order
    // is still placed: the reservation is recorded again (not absorbed as a duplicate).
    const retried = await inTransaction((client) =>
      runner.run(orderId, stockReserved(orderId), context(), { client }),
    );
    expect(retried.client).toBe(rolledBack.client);
    expect(retried.eventReads).toBe(1);
    const { events } = retried.result as Exclude<typeof retried.result, { error: unknown }>;
    expect(events.map((e) => e.type)).toEqual(['OrderStockReserved']);
  });
});
