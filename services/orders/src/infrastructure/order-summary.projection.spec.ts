import type { Queryable, RecordedEvent } from '@fulfil/event-store';
import type { Pool } from 'pg';
import {
  confirmed,
  cny,
  ORDER_ID,
  paid,
  placed,
  stockReserved,
  T2,
  T3,
  totals,
} from '../domain/order-decider.fixture';
import type { OrderEvent } from '../domain/order.events';
import { OrderSummaryProjection } from './order-summary.projection';

/** A client that records each statement's first three words and its parameters. */
function recordingClient() {
  const statements: { sql: string; values: unknown[] }[] = [];
  const client: Queryable = {
    query: (async (text: string, values: unknown[]) => {
      statements.push({ sql: text.trim().split(/\s+/).slice(0, 3).join(' '), values });
      return { rows: [], rowCount: 1 };
    }) as unknown as Queryable['query'],
  };
  return { client, statements };
}

const recorded = (events: readonly OrderEvent[], fromVersion = 1): RecordedEvent[] =>
  events.map((event, i) => ({ ...event, streamVersion: fromVersion + i }) as RecordedEvent);

const projection = new OrderSummaryProjection({} as Pool);

describe('OrderSummaryProjection: one statement per append', () => {
  it('inserts the row of a placement', async () => {
    const { client, statements } = recordingClient();
    await projection.applyAll(recorded([placed()]), client);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.sql).toBe('INSERT INTO order_summaries');
  });

  it('inserts a placement appended with later events as those leave the row', async () => {
    const { client, statements } = recordingClient();
    const order = placed();
    await projection.applyAll(recorded([order, stockReserved]), client);
    expect(statements).toHaveLength(1);
    const [insert] = statements;
    expect(insert!.sql).toBe('INSERT INTO order_summaries');
    // status, placed_at, updated_at, version
    expect([4, 8, 9, 10].map((i) => insert!.values[i])).toEqual([
      'stock-reserved',
      order.data.at,
      stockReserved.data.at,
      2,
    ]);
  });

  it('folds OrderPaid + OrderConfirmed into one update: last status, time and version', async () => {
    const { client, statements } = recordingClient();
    await projection.applyAll(recorded([paid, confirmed({ at: T3 })], 3), client);
    expect(statements).toEqual([
      { sql: 'UPDATE order_summaries SET', values: [ORDER_ID, 'confirmed', null, T3, 4] },
    ]);
  });

  it('keeps the new total of cancelled lines with the status after them', async () => {
    const { client, statements } = recordingClient();
    const linesCancelled: OrderEvent = {
      type: 'OrderLinesCancelled',
      data: {
        orderId: ORDER_ID,
        customerId: 'cus-42',
        lines: [{ lineId: 'L2', skuId: 'sku-milk', quantity: 1 }],
        refundDue: cny(0),
        newTotals: { ...totals, total: cny(12500) },
        reason: 'stock-shortage',
        at: T2,
      },
    };
    await projection.applyAll(recorded([linesCancelled, stockReserved], 2), client);
    expect(statements).toEqual([
      {
        sql: 'UPDATE order_summaries SET',
        values: [ORDER_ID, 'stock-reserved', 12500, stockReserved.data.at, 3],
      },
    ]);
  });

  it('applies one event as the ProjectionRunner gives it', async () => {
    const { client, statements } = recordingClient();
    await projection.apply(recorded([stockReserved], 2)[0]!, client);
    expect(statements).toEqual([
      {
        sql: 'UPDATE order_summaries SET',
        values: [ORDER_ID, 'stock-reserved', null, stockReserved.data.at, 2],
      },
    ]);
  });

  it('writes nothing for no events', async () => {
    const { client, statements } = recordingClient();
    await projection.applyAll([], client);
    expect(statements).toEqual([]);
  });
});
