import { InventoryEventTypes, type IntegrationEvent } from '@fulfil/contracts';
import type { ReservationEvent } from '../domain/reservation/reservation.events';
import type { SkuStockEvent } from '../domain/stock/sku-stock.events';
import { availableAt, totalAvailable, type SkuStockState } from '../domain/stock/sku-stock.state';

/**
 * Domain events (stored) translated into the inventory's integration events (published):
 * stock-level facts by SKU, reservation facts by reservation. The per-SKU halves of a
 * reservation (StockReserved/Released/Committed of one SKU stream) are not published; the
 * reservation's event carries every SKU's allocations at once.
 */
export function skuIntegrationEvents(events: readonly SkuStockEvent[]): IntegrationEvent[] {
  return events.flatMap((event): IntegrationEvent[] => {
    switch (event.type) {
      case 'StockReceived':
        return [{ type: InventoryEventTypes.StockReceived, version: 1, data: event.data }];
      case 'StockAdjusted':
        return [{ type: InventoryEventTypes.StockAdjusted, version: 1, data: event.data }];
      case 'StockRestocked':
        return [{ type: InventoryEventTypes.StockRestocked, version: 1, data: event.data }];
      case 'LowStockDetected':
        return [{ type: InventoryEventTypes.LowStockDetected, version: 1, data: event.data }];
      case 'LowStockThresholdSet':
      case 'StockReserved':
      case 'StockReleased':
      case 'StockCommitted':
        return [];
      default: {
        const unexpected: never = event;
        throw new Error(`Unknown event ${(unexpected as { type: string }).type}`);
      }
    }
  });
}

/** Did any of `events` change what can be sold (the AvailabilityChanged trigger)? */
export function changesAvailability(events: readonly SkuStockEvent[]): boolean {
  return events.some((event) =>
    ['StockReceived', 'StockAdjusted', 'StockRestocked', 'StockReserved', 'StockReleased'].includes(
      event.type,
    ),
  );
}

/** The SKU's sellable quantity now, in total and per location (R-INV-3). */
export function availabilityChanged(
  skuId: string,
  state: SkuStockState,
  asOf: string,
): IntegrationEvent {
  return {
    type: InventoryEventTypes.AvailabilityChanged,
    version: 1,
    data: {
      skuId,
      available: totalAvailable(state),
      locations: Object.entries(state.locations)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([locationId, stock]) => ({
          locationId,
          locationType: stock.locationType,
          available: availableAt(stock),
        })),
      asOf,
    },
  };
}

export function reservationIntegrationEvents(
  events: readonly ReservationEvent[],
): IntegrationEvent[] {
  return events.flatMap((event): IntegrationEvent[] => {
    switch (event.type) {
      case 'ReservationMade': {
        const { reservationId, orderId, channel, allocations, shortages, allocatedElsewhere } =
          event.data;
        return [
          {
            type: InventoryEventTypes.StockReserved,
            version: 1,
            data: {
              reservationId,
              orderId,
              channel,
              allocations: [...allocations],
              shortages: [...shortages],
              allocatedElsewhere,
              expiresAt: event.data.expiresAt,
            },
          },
        ];
      }
      case 'ReservationFailed':
        return [
          {
            type: InventoryEventTypes.StockReservationFailed,
            version: 1,
            data: { ...event.data, shortages: [...event.data.shortages] },
          },
        ];
      case 'ReservationReleased':
        return [
          {
            type: InventoryEventTypes.StockReleased,
            version: 1,
            data: { ...event.data, allocations: [...event.data.allocations] },
          },
        ];
      case 'ReservationLinesCancelled': {
        const { reservationId, orderId, released } = event.data;
        if (released.length === 0) return [];
        return [
          {
            type: InventoryEventTypes.StockReleased,
            version: 1,
            data: { reservationId, orderId, reason: 'lines-cancelled', allocations: [...released] },
          },
        ];
      }
      case 'ReservationCommitted':
        return [
          {
            type: InventoryEventTypes.StockCommitted,
            version: 1,
            data: { ...event.data, allocations: [...event.data.allocations] },
          },
        ];
      case 'ReservationMadeFirm':
        return [];
      default: {
        const unexpected: never = event;
        throw new Error(`Unknown event ${(unexpected as { type: string }).type}`);
      }
    }
  });
}
