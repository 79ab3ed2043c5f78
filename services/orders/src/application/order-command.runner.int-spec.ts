import { randomUUID } from 'node:crypto';
import { isDomainError } from '@fulfil/decider';
import { PG_POOL } from '@fulfil/messaging';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import type { Pool, PoolClient } from 'pg';
import { OrderErrorCodes } from '../domain/order.errors';
import { orderBody, startOrdersApp, type OrdersTestApp } from '../testing/orders-test-app.fixture';
import { OrderCommandRunner, type CommandContext } from './order-command.runner';
import { placeOrderCommand } from './place-order.use-case';

// What the runner skips on the happy path (no read before a placement), and that skipping
// changes no outcome.

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
function recordStatements(client: PoolClient) {
  const spy = jest.spyOn(client, 'query');
  return () => {
    const texts = spy.mock.calls.map(([config]) =>
      (typeof config === 'string' ? config : (config as { text: string }).text)
        .trim()
        .split(/\s+/)
        .slice(0, 3)
        .join(' '),
    );
    spy.mockRestore();
    return texts;
  };
}

/**
 * The statements of the transactions on the service's pool that start and end within `work`
 * (checkouts opening with BEGIN; the pollers of the outbox and deadlines run plain queries).
 */
async function recordCheckouts<T>(work: () => Promise<T>) {
  const texts: string[] = [];
  const recording = new Map<PoolClient, () => string[]>();
  const onAcquire = (client: PoolClient) => recording.set(client, recordStatements(client));
  const onRelease = (_error: Error, client: PoolClient) => {
    const checkout = recording.get(client)?.() ?? [];
    if (checkout[0] === 'BEGIN') texts.push(...checkout);
    recording.delete(client);
  };
  servicePool.on('acquire', onAcquire).on('release', onRelease);
  try {
    return { result: await work(), texts };
  } finally {
    servicePool.off('acquire', onAcquire).off('release', onRelease);
    for (const stop of recording.values()) stop();
  }
}

async function place() {
  const orderId = randomUUID();
  const command = placeOrderCommand(orderId, orderBody() as never, new Date().toISOString());
  await runner.place(orderId, command, context(), async () => undefined);
  return { orderId, command };
}

describe('OrderCommandRunner: statements skipped on the happy path', () => {
  it('places an order without reading its stream, in one transaction with the address', async () => {
    const orderId = randomUUID();
    const command = placeOrderCommand(orderId, orderBody() as never, new Date().toISOString());
    const { result, texts } = await recordCheckouts(() =>
      runner.place(orderId, command, context(), (client) =>
        client.query('SELECT 1 AS address').then(() => undefined),
      ),
    );
    // No read of the stream: one transaction with the append and what commits with it.
    expect(texts).toEqual([
      'BEGIN',
      'WITH head AS',
      'SELECT 1 AS',
      'INSERT INTO order_summaries',
      'INSERT INTO outbox',
      'INSERT INTO deadlines',
      'COMMIT',
    ]);
    expect(result.recorded.map((event) => [event.type, event.streamVersion])).toEqual([
      ['OrderPlaced', 1],
    ]);
    expect(result.state.status).toBe('placed');
  });

  it('answers ORDER.ALREADY_PLACED for a second placement of the stream, storing nothing', async () => {
    const { orderId, command } = await place();
    const error = await runner
      .place(orderId, command, context(), async () => undefined)
      .catch((e: unknown) => e);
    expect(isDomainError(error, OrderErrorCodes.alreadyPlaced)).toBe(true);
    const { rows } = await orders.pool.query(
      'SELECT count(*)::int AS n FROM events WHERE stream_id = $1',
      [`order-${orderId}`],
    );
    expect(rows[0].n).toBe(1);
  });
});
