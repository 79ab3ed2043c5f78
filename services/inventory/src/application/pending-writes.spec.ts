import type { Queryable } from '@fulfil/event-store';
import type { SkuStockState } from '../domain/stock/sku-stock.state';
import { PendingWrites } from './pending-writes';

/** A SKU's state with these locations, `reserved` units held at each of 10 on hand. */
function stockWith(reserved: Record<string, number>): SkuStockState {
  const locations = Object.fromEntries(
    Object.entries(reserved).map(([locationId, units]) => [
      locationId,
      {
        locationType: 'warehouse' as const,
        onHand: 10,
        reserved: units,
        lowStockThreshold: null,
        lowStockSignalled: false,
      },
    ]),
  );
  return { known: true, locations };
}

/** The statements flushed, with their parameters. */
function recordingClient() {
  const sent: { text: string; values: unknown[] }[] = [];
  const client = {
    query: async (config: string | { text: string; values?: unknown[] }, values?: unknown[]) => {
      const text = typeof config === 'string' ? config : config.text;
      sent.push({ text, values: (typeof config === 'string' ? values : config.values) ?? [] });
      return { rows: [], rowCount: 0 };
    },
  } as unknown as Queryable;
  return { client, sent };
}

const context = { correlationId: 'corr-1', actor: 'test', now: new Date() };

describe('PendingWrites availability rows', () => {
  it('writes a SKU changed twice once: its locations together, as its last state has them', async () => {
    const pending = new PendingWrites(context);
    pending.setLevels('sku-a', stockWith({ 'wh-1': 3, 'wh-2': 1 }), ['wh-1']);
    pending.setLevels('sku-b', stockWith({ 'wh-1': 4 }), ['wh-1']);
    pending.setLevels('sku-a', stockWith({ 'wh-1': 2, 'wh-2': 0 }), ['wh-2']);
    const { client, sent } = recordingClient();

    await pending.flush(client);

    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/^INSERT INTO stock_levels/);
    const [skuIds, locationIds, , onHand, reserved] = sent[0]!.values as unknown[][];
    const rows = skuIds!.map((skuId, i) => [skuId, locationIds![i], onHand![i], reserved![i]]);
    expect(rows).toEqual([
      ['sku-a', 'wh-1', 10, 2],
      ['sku-a', 'wh-2', 10, 0],
      ['sku-b', 'wh-1', 10, 4],
    ]);
  });

  it('sends the rows once: a second flush has nothing left to write', async () => {
    const pending = new PendingWrites(context);
    pending.setLevels('sku-a', stockWith({ 'wh-1': 1 }), ['wh-1']);
    const { client, sent } = recordingClient();

    await pending.flush(client);
    await pending.flush(client);

    expect(sent).toHaveLength(1);
  });
});
