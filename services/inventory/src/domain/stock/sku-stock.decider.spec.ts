import { deciderSpec } from '@fulfil/decider';
import type { SkuStockCommand } from './sku-stock.commands';
import { skuStockDecider } from './sku-stock.decider';
import type { SkuStockEvent } from './sku-stock.events';
import type { LineShortage, LocationType, StockAllocation } from './stock.types';

const decider = skuStockDecider({
  defaultLowStockThreshold: 2,
  allocation: { split: true, preference: 'most-available' },
});
const given = deciderSpec(decider);
const SKU = 'sku-1';
const types: Record<string, LocationType> = {
  'wh-1': 'warehouse',
  'wh-2': 'warehouse',
  'st-1': 'store',
};

const received = (
  locationId: string,
  quantity: number,
  onHand = quantity,
  reserved = 0,
): SkuStockEvent => ({
  type: 'StockReceived',
  data: {
    skuId: SKU,
    locationId,
    locationType: types[locationId]!,
    onHand,
    available: onHand - reserved,
    receiptId: `rcpt-${locationId}-${onHand}`,
    quantity,
  },
});
const alloc = (locationId: string, quantity: number, lineId = 'l1'): StockAllocation => ({
  lineId,
  skuId: SKU,
  locationId,
  locationType: types[locationId]!,
  quantity,
});
const reserved = (
  allocations: StockAllocation[],
  shortages: LineShortage[] = [],
): SkuStockEvent => ({
  type: 'StockReserved',
  data: {
    skuId: SKU,
    reservationId: 'res-1',
    orderId: 'ord-1',
    allocations,
    shortages: shortages,
  },
});
const reserve = (
  lines: { lineId: string; quantity: number }[],
  preferredLocationId?: string,
): SkuStockCommand => ({
  type: 'ReserveStock',
  data: {
    skuId: SKU,
    reservationId: 'res-1',
    orderId: 'ord-1',
    lines,
    ...(preferredLocationId ? { preferredLocationId } : {}),
  },
});
const lowStock = (locationId: string, available: number, threshold = 2): SkuStockEvent => ({
  type: 'LowStockDetected',
  data: { skuId: SKU, locationId, locationType: types[locationId]!, available, threshold },
});

describe('SKU stock decider', () => {
  describe('receiving', () => {
    it('adds to on-hand and reports the level after', () =>
      given([received('wh-1', 10)])
        .when({
          type: 'ReceiveStock',
          data: {
            skuId: SKU,
            locationId: 'wh-1',
            locationType: 'warehouse',
            quantity: 5,
            receiptId: 'rcpt-wh-1-15',
          },
        })
        .then([received('wh-1', 5, 15)]));

    it('refuses a zero quantity', () =>
      given([])
        .when({
          type: 'ReceiveStock',
          data: {
            skuId: SKU,
            locationId: 'wh-1',
            locationType: 'warehouse',
            quantity: 0,
            receiptId: 'r',
          },
        })
        .thenThrows('INVENTORY.INVALID_QUANTITY'));
  });

  describe('adjusting', () => {
    const adjust = (delta: number): SkuStockCommand => ({
      type: 'AdjustStock',
      data: {
        skuId: SKU,
        locationId: 'wh-1',
        locationType: 'warehouse',
        adjustmentId: 'adj-1',
        delta,
        reason: 'damaged',
      },
    });

    it('corrects on-hand down to what is reserved', () =>
      given([received('wh-1', 10), reserved([alloc('wh-1', 4)])])
        .when(adjust(-6))
        .then([
          {
            type: 'StockAdjusted',
            data: {
              skuId: SKU,
              locationId: 'wh-1',
              locationType: 'warehouse',
              onHand: 4,
              available: 0,
              adjustmentId: 'adj-1',
              delta: -6,
              reason: 'damaged',
            },
          },
          lowStock('wh-1', 0),
        ]));

    it('refuses to go below what is reserved', () =>
      given([received('wh-1', 10), reserved([alloc('wh-1', 4)])])
        .when(adjust(-7))
        .thenThrows('INVENTORY.ADJUSTMENT_BELOW_RESERVED'));

    it('refuses to go below zero', () =>
      given([received('wh-1', 3)])
        .when(adjust(-4))
        .thenThrows('INVENTORY.ADJUSTMENT_BELOW_RESERVED'));

    it('refuses an unknown SKU and a zero delta', () => {
      given([]).when(adjust(5)).thenThrows('INVENTORY.SKU_UNKNOWN');
      given([received('wh-1', 3)])
        .when(adjust(0))
        .thenThrows('INVENTORY.INVALID_QUANTITY');
    });
  });

  describe('reserving (allocation policy)', () => {
    const stocked = [received('wh-1', 10), received('wh-2', 6), received('st-1', 4)];

    it('serves the whole line at the preferred location when it can', () =>
      given(stocked)
        .when(reserve([{ lineId: 'l1', quantity: 4 }], 'st-1'))
        .then([reserved([alloc('st-1', 4)]), lowStock('st-1', 0)]));

    it('otherwise serves it whole from the single location with the most available', () =>
      given(stocked)
        .when(reserve([{ lineId: 'l1', quantity: 5 }], 'st-1'))
        .then([reserved([alloc('wh-1', 5)])]));

    it('prefers warehouses when configured so', () => {
      const warehousesFirst = skuStockDecider({
        defaultLowStockThreshold: 0,
        allocation: { split: true, preference: 'warehouses-first' },
      });
      const events = [received('wh-2', 3), received('st-1', 8)];
      deciderSpec(warehousesFirst)(events)
        .when(reserve([{ lineId: 'l1', quantity: 3 }]))
        .then([reserved([alloc('wh-2', 3)]), lowStock('wh-2', 0, 0)]);
    });

    it('splits across locations when no single one can serve the line: preferred first', () =>
      given(stocked)
        .when(reserve([{ lineId: 'l1', quantity: 15 }], 'st-1'))
        .then([
          reserved([alloc('st-1', 4), alloc('wh-1', 10), alloc('wh-2', 1)]),
          lowStock('st-1', 0),
          lowStock('wh-1', 0),
        ]));

    it('does not split when splitting is not allowed: the best single location, the rest short', () => {
      const noSplit = skuStockDecider({
        defaultLowStockThreshold: 0,
        allocation: { split: false, preference: 'most-available' },
      });
      deciderSpec(noSplit)(stocked)
        .when(reserve([{ lineId: 'l1', quantity: 15 }], 'st-1'))
        .then([
          reserved(
            [alloc('wh-1', 10)],
            [{ lineId: 'l1', skuId: SKU, requested: 15, available: 10 }],
          ),
          lowStock('wh-1', 0, 0),
        ]);
    });

    it('reserves what exists and reports the shortage (partial)', () =>
      given([received('wh-1', 3)])
        .when(reserve([{ lineId: 'l1', quantity: 5 }]))
        .then([
          reserved([alloc('wh-1', 3)], [{ lineId: 'l1', skuId: SKU, requested: 5, available: 3 }]),
          lowStock('wh-1', 0),
        ]));

    it('allocates several lines in turn against what is left', () =>
      given([received('wh-1', 5), received('wh-2', 5)])
        .when(
          reserve([
            { lineId: 'l1', quantity: 4 },
            { lineId: 'l2', quantity: 4 },
          ]),
        )
        .then([
          reserved([alloc('wh-1', 4, 'l1'), alloc('wh-2', 4, 'l2')]),
          lowStock('wh-1', 1),
          lowStock('wh-2', 1),
        ]));

    it('fails when nothing at all is available', () =>
      given([received('wh-1', 2), reserved([alloc('wh-1', 2)])])
        .when(reserve([{ lineId: 'l2', quantity: 1 }]))
        .thenThrows('INVENTORY.INSUFFICIENT_STOCK'));

    it('fails for a SKU it never stocked', () =>
      given([])
        .when(reserve([{ lineId: 'l1', quantity: 1 }]))
        .thenThrows('INVENTORY.SKU_UNKNOWN'));
  });

  describe('releasing and committing', () => {
    const holding = [received('wh-1', 10), reserved([alloc('wh-1', 3)])];

    it('gives reserved units back to available', () =>
      given(holding)
        .when({
          type: 'ReleaseStock',
          data: {
            skuId: SKU,
            reservationId: 'res-1',
            reason: 'reservation-expired',
            allocations: [alloc('wh-1', 3)],
          },
        })
        .then([
          {
            type: 'StockReleased',
            data: {
              skuId: SKU,
              reservationId: 'res-1',
              reason: 'reservation-expired',
              allocations: [alloc('wh-1', 3)],
            },
          },
        ]));

    it('commits reserved units: they leave on-hand', () => {
      const committed: SkuStockEvent = {
        type: 'StockCommitted',
        data: {
          skuId: SKU,
          reservationId: 'res-1',
          shipmentId: 'shp-1',
          allocations: [alloc('wh-1', 3)],
        },
      };
      given(holding)
        .when({
          type: 'CommitStock',
          data: {
            skuId: SKU,
            reservationId: 'res-1',
            shipmentId: 'shp-1',
            allocations: [alloc('wh-1', 3)],
          },
        })
        .then([committed]);
      const state = [...holding, committed].reduce(decider.evolve, decider.initialState());
      expect(state.locations['wh-1']).toMatchObject({ onHand: 7, reserved: 0 });
    });

    it('refuses to release more than is reserved at the location', () =>
      given(holding)
        .when({
          type: 'ReleaseStock',
          data: {
            skuId: SKU,
            reservationId: 'res-1',
            reason: 'order-cancelled',
            allocations: [alloc('wh-1', 4)],
          },
        })
        .thenThrows('INVENTORY.RESERVED_STOCK_MISMATCH'));
  });

  it('restocks an inspected return at its location', () =>
    given([received('wh-1', 10)])
      .when({
        type: 'RestockReturn',
        data: {
          skuId: SKU,
          locationId: 'wh-1',
          locationType: 'warehouse',
          quantity: 2,
          caseId: 'case-1',
          orderId: 'ord-1',
        },
      })
      .then([
        {
          type: 'StockRestocked',
          data: {
            skuId: SKU,
            locationId: 'wh-1',
            locationType: 'warehouse',
            onHand: 12,
            available: 12,
            quantity: 2,
            caseId: 'case-1',
            orderId: 'ord-1',
          },
        },
      ]));

  describe('low-stock threshold', () => {
    const setThreshold = (threshold: number): SkuStockCommand => ({
      type: 'SetLowStockThreshold',
      data: { skuId: SKU, locationId: 'wh-1', locationType: 'warehouse', threshold },
    });
    const thresholdSet = (threshold: number): SkuStockEvent => ({
      type: 'LowStockThresholdSet',
      data: { skuId: SKU, locationId: 'wh-1', locationType: 'warehouse', threshold },
    });

    it('signals when available crosses down to the threshold', () =>
      given([received('wh-1', 5), thresholdSet(3)])
        .when(reserve([{ lineId: 'l1', quantity: 2 }]))
        .then([reserved([alloc('wh-1', 2)]), lowStock('wh-1', 3, 3)]));

    it('does not signal again while available stays below it', () =>
      given([
        received('wh-1', 5),
        thresholdSet(3),
        reserved([alloc('wh-1', 2)]),
        lowStock('wh-1', 3, 3),
      ])
        .when(reserve([{ lineId: 'l2', quantity: 1 }]))
        .then([reserved([alloc('wh-1', 1, 'l2')])]));

    it('signals again after available rose above it and fell back', () =>
      given([
        received('wh-1', 5),
        thresholdSet(3),
        reserved([alloc('wh-1', 2)]),
        lowStock('wh-1', 3, 3),
        received('wh-1', 5, 10, 2),
      ])
        .when(reserve([{ lineId: 'l2', quantity: 5 }]))
        .then([reserved([alloc('wh-1', 5, 'l2')]), lowStock('wh-1', 3, 3)]));

    it('signals when a raised threshold puts available at or below it', () =>
      given([received('wh-1', 5)])
        .when(setThreshold(5))
        .then([thresholdSet(5), lowStock('wh-1', 5, 5)]));

    it('setting the same threshold again changes nothing; unknown SKU is refused', () => {
      given([received('wh-1', 5), thresholdSet(1)])
        .when(setThreshold(1))
        .then([]);
      given([]).when(setThreshold(1)).thenThrows('INVENTORY.SKU_UNKNOWN');
    });
  });
});
