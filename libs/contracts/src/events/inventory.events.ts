import { z } from 'zod';
import {
  Id,
  LocationType,
  NonNegativeQuantity,
  PositiveQuantity,
  SalesChannel,
  UtcDateTime,
} from './common.schemas';
import { defineEvent, EventData } from './event-contract';

/** Wire names of the inventory service's integration events (topic `inventory.events`). */
export const InventoryEventTypes = {
  StockReceived: 'fulfil.inventory.StockReceived',
  StockAdjusted: 'fulfil.inventory.StockAdjusted',
  StockReserved: 'fulfil.inventory.StockReserved',
  StockReservationFailed: 'fulfil.inventory.StockReservationFailed',
  StockReleased: 'fulfil.inventory.StockReleased',
  StockCommitted: 'fulfil.inventory.StockCommitted',
  StockRestocked: 'fulfil.inventory.StockRestocked',
  LowStockDetected: 'fulfil.inventory.LowStockDetected',
  AvailabilityChanged: 'fulfil.inventory.AvailabilityChanged',
} as const;

/** Stock level events are keyed by SKU so that one SKU's changes stay ordered. */
const bySku = { service: 'inventory', aggregate: 'Sku', subject: 'skuId' } as const;
/** Reservation events are keyed by reservation. */
const byReservation = {
  service: 'inventory',
  aggregate: 'Reservation',
  subject: 'reservationId',
} as const;

const Allocation = z.strictObject({
  lineId: Id.optional(),
  skuId: Id,
  locationId: Id,
  locationType: LocationType,
  quantity: PositiveQuantity,
});

const Shortage = z.strictObject({
  lineId: Id.optional(),
  skuId: Id,
  requested: PositiveQuantity,
  available: NonNegativeQuantity,
});

const stockLevel = {
  skuId: Id,
  locationId: Id,
  locationType: LocationType,
  onHand: NonNegativeQuantity,
  available: NonNegativeQuantity,
};

export const StockReceivedV1 = defineEvent({
  ...bySku,
  type: InventoryEventTypes.StockReceived,
  version: 1,
  summary: 'Goods were received into a warehouse or store.',
  requirements: ['R-INV-1'],
  schema: z.strictObject({ ...stockLevel, receiptId: Id, quantity: PositiveQuantity }),
});
export type StockReceivedV1Data = EventData<typeof StockReceivedV1>;

export const StockAdjustedV1 = defineEvent({
  ...bySku,
  type: InventoryEventTypes.StockAdjusted,
  version: 1,
  summary: 'On-hand stock was corrected (count, damage, loss, expiry).',
  requirements: ['R-INV-1'],
  schema: z.strictObject({
    ...stockLevel,
    adjustmentId: Id,
    delta: z
      .number()
      .int()
      .refine((n) => n !== 0, 'delta must not be zero'),
    reason: z.enum(['count-correction', 'damaged', 'lost', 'found', 'expired']),
  }),
});
export type StockAdjustedV1Data = EventData<typeof StockAdjustedV1>;

export const StockReservedV1 = defineEvent({
  ...byReservation,
  type: InventoryEventTypes.StockReserved,
  version: 1,
  summary: "An order's stock is reserved until `expiresAt`; `shortages` lists what was not.",
  requirements: ['R-INV-2', 'R-INV-4', 'R-ORD-3'],
  schema: z.strictObject({
    reservationId: Id,
    orderId: Id,
    channel: SalesChannel,
    allocations: z.array(Allocation).min(1),
    shortages: z.array(Shortage),
    allocatedElsewhere: z.boolean(),
    expiresAt: UtcDateTime,
  }),
});
export type StockReservedV1Data = EventData<typeof StockReservedV1>;

export const StockReservationFailedV1 = defineEvent({
  ...byReservation,
  type: InventoryEventTypes.StockReservationFailed,
  version: 1,
  summary: 'Nothing could be reserved for the order (stock shortage).',
  requirements: ['R-INV-2', 'R-ORD-3'],
  schema: z.strictObject({
    reservationId: Id,
    orderId: Id,
    reason: z.enum(['insufficient-stock', 'sku-unknown', 'sku-blocked']),
    shortages: z.array(Shortage).min(1),
  }),
});
export type StockReservationFailedV1Data = EventData<typeof StockReservationFailedV1>;

export const StockReleasedV1 = defineEvent({
  ...byReservation,
  type: InventoryEventTypes.StockReleased,
  version: 1,
  summary: 'Reserved stock went back to available (cancel, payment failure, expiry).',
  requirements: ['R-INV-2', 'R-ORD-3'],
  schema: z.strictObject({
    reservationId: Id,
    orderId: Id,
    reason: z.enum([
      'order-cancelled',
      'lines-cancelled',
      'payment-failed',
      'payment-timed-out',
      'reservation-expired',
    ]),
    allocations: z.array(Allocation).min(1),
  }),
});
export type StockReleasedV1Data = EventData<typeof StockReleasedV1>;

export const StockCommittedV1 = defineEvent({
  ...byReservation,
  type: InventoryEventTypes.StockCommitted,
  version: 1,
  summary: 'Reserved stock left the building with a shipment and is no longer on hand.',
  requirements: ['R-INV-2'],
  schema: z.strictObject({
    reservationId: Id,
    orderId: Id,
    shipmentId: Id,
    allocations: z.array(Allocation).min(1),
  }),
});
export type StockCommittedV1Data = EventData<typeof StockCommittedV1>;

export const StockRestockedV1 = defineEvent({
  ...bySku,
  type: InventoryEventTypes.StockRestocked,
  version: 1,
  summary: 'A returned item passed inspection and is sellable again.',
  requirements: ['R-INV-5', 'R-AS-5'],
  schema: z.strictObject({
    ...stockLevel,
    quantity: PositiveQuantity,
    caseId: Id,
    orderId: Id,
  }),
});
export type StockRestockedV1Data = EventData<typeof StockRestockedV1>;

export const LowStockDetectedV1 = defineEvent({
  ...bySku,
  type: InventoryEventTypes.LowStockDetected,
  version: 1,
  summary: 'Available stock of a SKU at a location fell to or below its threshold.',
  requirements: ['R-INV-6'],
  schema: z.strictObject({
    skuId: Id,
    locationId: Id,
    locationType: LocationType,
    available: NonNegativeQuantity,
    threshold: NonNegativeQuantity,
  }),
});
export type LowStockDetectedV1Data = EventData<typeof LowStockDetectedV1>;

export const AvailabilityChangedV1 = defineEvent({
  ...bySku,
  type: InventoryEventTypes.AvailabilityChanged,
  version: 1,
  summary: 'Sellable quantity of a SKU across all locations changed (product pages, channels).',
  requirements: ['R-INV-3'],
  schema: z.strictObject({
    skuId: Id,
    available: NonNegativeQuantity,
    locations: z.array(
      z.strictObject({
        locationId: Id,
        locationType: LocationType,
        available: NonNegativeQuantity,
      }),
    ),
    asOf: UtcDateTime,
  }),
});
export type AvailabilityChangedV1Data = EventData<typeof AvailabilityChangedV1>;

/** Every inventory contract, in documentation order. */
export const INVENTORY_EVENT_CONTRACTS = [
  StockReceivedV1,
  StockAdjustedV1,
  StockReservedV1,
  StockReservationFailedV1,
  StockReleasedV1,
  StockCommittedV1,
  StockRestockedV1,
  LowStockDetectedV1,
  AvailabilityChangedV1,
] as const;
