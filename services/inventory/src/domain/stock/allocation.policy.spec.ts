import fc from 'fast-check';
import { allocateLines } from './allocation.policy';
import { emptyLocation, type LocationStock } from './sku-stock.state';
import type { AllocationPolicy, LocationType } from './stock.types';

// The allocation policy as properties over random stock layouts and order lines, applied in
// turn against what previous lines left (as the decider does for successive orders).

const layout = fc
  .array(
    fc.record({
      type: fc.constantFrom<LocationType>('warehouse', 'store'),
      onHand: fc.integer({ min: 0, max: 8 }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((entries) =>
    Object.fromEntries(
      entries.map(({ type, onHand }, i): [string, LocationStock] => [
        `loc-${i}`,
        { ...emptyLocation(type), onHand },
      ]),
    ),
  );
const orders = fc.array(
  fc.record({
    quantity: fc.integer({ min: 1, max: 5 }),
    preferred: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  }),
  { minLength: 1, maxLength: 8 },
);
const policy = fc.record<AllocationPolicy>({
  split: fc.boolean(),
  preference: fc.constantFrom('most-available', 'warehouses-first'),
});

describe('allocation policy (property-based)', () => {
  it('never oversells, uses the preferred location when it can serve, splits only when needed', () => {
    fc.assert(
      fc.property(layout, orders, policy, (initial, lines, chosen) => {
        let stock = initial;
        for (const [i, line] of lines.entries()) {
          const preferredId = line.preferred === undefined ? undefined : `loc-${line.preferred}`;
          const available = (id: string) => stock[id]!.onHand - stock[id]!.reserved;
          const ids = Object.keys(stock);
          const total = ids.reduce((sum, id) => sum + available(id), 0);
          const { allocations, shortages } = allocateLines(
            'sku',
            stock,
            [{ lineId: `l${i}`, quantity: line.quantity }],
            preferredId,
            chosen,
          );
          const served = allocations.reduce((sum, a) => sum + a.quantity, 0);
          const single = ids.filter((id) => available(id) >= line.quantity);

          for (const a of allocations) {
            expect(a.quantity).toBeGreaterThan(0);
            expect(a.quantity).toBeLessThanOrEqual(available(a.locationId));
          }
          expect(new Set(allocations.map((a) => a.locationId)).size).toBe(allocations.length);
          if (preferredId && stock[preferredId] && available(preferredId) >= line.quantity) {
            expect(allocations).toEqual([expect.objectContaining({ locationId: preferredId })]);
          }
          if (single.length > 0) {
            expect(allocations).toHaveLength(1);
            expect(single).toContain(allocations[0]!.locationId);
          }
          if (!chosen.split) expect(allocations.length).toBeLessThanOrEqual(1);
          const expected = chosen.split
            ? Math.min(line.quantity, total)
            : Math.min(line.quantity, Math.max(0, ...ids.map(available)));
          expect(served).toBe(expected);
          expect(shortages).toEqual(
            served < line.quantity
              ? [{ lineId: `l${i}`, skuId: 'sku', requested: line.quantity, available: served }]
              : [],
          );

          stock = { ...stock };
          for (const a of allocations) {
            stock[a.locationId] = {
              ...stock[a.locationId]!,
              reserved: stock[a.locationId]!.reserved + a.quantity,
            };
          }
          for (const id of ids) expect(available(id)).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
