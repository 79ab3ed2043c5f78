import type { Decider } from '@fulfil/decider';
import {
  AdjustmentBelowReserved,
  InsufficientStock,
  InvalidQuantity,
  ReservedStockMismatch,
  SkuUnknown,
} from '../inventory.errors';
import { allocateLines } from './allocation.policy';
import type { SkuStockCommand } from './sku-stock.commands';
import type { LowStockDetected, SkuStockEvent } from './sku-stock.events';
import {
  availableAt,
  emptyLocation,
  type LocationStock,
  type SkuStockState,
} from './sku-stock.state';
import type { AllocationPolicy, LocationType, StockAllocation } from './stock.types';

/** What the SKU stock decider needs from the service's settings. */
export interface SkuStockSettings {
  /** Low-stock threshold of a location that has none of its own (LOW_STOCK_THRESHOLD). */
  readonly defaultLowStockThreshold: number;
  readonly allocation: AllocationPolicy;
}

export type SkuStockDecider = Decider<SkuStockCommand, SkuStockEvent, SkuStockState>;

/**
 * The SKU stock aggregate: on-hand and reserved units of one SKU at every location. Rules:
 * never reserve more than is available at a location (no oversell), never adjust on-hand below
 * what is reserved, and signal low stock once when a location's available falls to or below
 * its threshold (again only after it rose above it).
 */
export function skuStockDecider(settings: SkuStockSettings): SkuStockDecider {
  const thresholdOf = (location: LocationStock) =>
    location.lowStockThreshold ?? settings.defaultLowStockThreshold;

  const evolve = (state: SkuStockState, event: SkuStockEvent): SkuStockState => {
    const changes = locationChanges(event);
    const locations = { ...state.locations };
    for (const change of changes) {
      const before = locations[change.locationId] ?? emptyLocation(change.locationType);
      const after = { ...before, ...change.apply(before) };
      // Rising above the threshold re-arms the low-stock signal.
      const stillLow = availableAt(after) <= thresholdOf(after);
      locations[change.locationId] = {
        ...after,
        lowStockSignalled: after.lowStockSignalled && stillLow,
      };
    }
    const stocked = event.type === 'StockReceived' || event.type === 'StockRestocked';
    return { known: state.known || stocked, locations };
  };

  const withLowStockSignals = (state: SkuStockState, events: SkuStockEvent[]): SkuStockEvent[] => {
    const after = events.reduce(evolve, state);
    const touched = new Set(
      events.flatMap((event) => locationChanges(event)).map((c) => c.locationId),
    );
    const signals: LowStockDetected[] = [];
    for (const locationId of touched) {
      const location = after.locations[locationId]!;
      const threshold = thresholdOf(location);
      if (!location.lowStockSignalled && availableAt(location) <= threshold) {
        signals.push({
          type: 'LowStockDetected',
          data: {
            skuId: skuOf(events[0]!),
            locationId,
            locationType: location.locationType,
            available: availableAt(location),
            threshold,
          },
        });
      }
    }
    return [...events, ...signals];
  };

  const decide = (command: SkuStockCommand, state: SkuStockState): SkuStockEvent[] => {
    const at = (locationId: string, locationType: LocationType) =>
      state.locations[locationId] ?? emptyLocation(locationType);
    /** A location's stock level once `delta` units came in (or went out). */
    const levelAfter = (
      skuId: string,
      locationId: string,
      locationType: LocationType,
      delta: number,
    ) => {
      const location = at(locationId, locationType);
      const onHand = location.onHand + delta;
      const level = {
        skuId,
        locationId,
        locationType: location.locationType,
        onHand,
        available: onHand - location.reserved,
      };
      return { location, level };
    };
    switch (command.type) {
      case 'ReceiveStock': {
        const { skuId, locationId, locationType, quantity, receiptId } = command.data;
        assertPositive(quantity);
        const { level } = levelAfter(skuId, locationId, locationType, quantity);
        return withLowStockSignals(state, [
          { type: 'StockReceived', data: { ...level, receiptId, quantity } },
        ]);
      }
      case 'AdjustStock': {
        const { skuId, locationId, locationType, adjustmentId, delta, reason } = command.data;
        if (!state.known) throw new SkuUnknown(skuId);
        if (!Number.isInteger(delta) || delta === 0) throw new InvalidQuantity('delta', delta);
        const { location, level } = levelAfter(skuId, locationId, locationType, delta);
        if (level.onHand < location.reserved) {
          throw new AdjustmentBelowReserved({
            skuId,
            locationId,
            onHand: location.onHand,
            reserved: location.reserved,
            delta,
          });
        }
        return withLowStockSignals(state, [
          { type: 'StockAdjusted', data: { ...level, adjustmentId, delta, reason } },
        ]);
      }
      case 'SetLowStockThreshold': {
        const { skuId, locationId, locationType, threshold } = command.data;
        if (!state.known) throw new SkuUnknown(skuId);
        if (!Number.isInteger(threshold) || threshold < 0) {
          throw new InvalidQuantity('threshold', threshold);
        }
        const location = at(locationId, locationType);
        if (location.lowStockThreshold === threshold) return [];
        return withLowStockSignals(state, [
          {
            type: 'LowStockThresholdSet',
            data: { skuId, locationId, locationType: location.locationType, threshold },
          },
        ]);
      }
      case 'ReserveStock': {
        const { skuId, reservationId, orderId, preferredLocationId, lines } = command.data;
        if (!state.known) throw new SkuUnknown(skuId);
        lines.forEach((line) => assertPositive(line.quantity));
        const { allocations, shortages } = allocateLines(
          skuId,
          state.locations,
          lines,
          preferredLocationId,
          settings.allocation,
        );
        if (allocations.length === 0) {
          throw new InsufficientStock(
            skuId,
            lines.reduce((sum, line) => sum + line.quantity, 0),
          );
        }
        return withLowStockSignals(state, [
          {
            type: 'StockReserved',
            data: { skuId, reservationId, orderId, allocations, shortages },
          },
        ]);
      }
      case 'ReleaseStock': {
        const { skuId, reservationId, reason, allocations } = command.data;
        if (allocations.length === 0) return [];
        assertHeld(state, skuId, allocations);
        return withLowStockSignals(state, [
          { type: 'StockReleased', data: { skuId, reservationId, reason, allocations } },
        ]);
      }
      case 'CommitStock': {
        const { skuId, reservationId, shipmentId, allocations } = command.data;
        if (allocations.length === 0) return [];
        assertHeld(state, skuId, allocations);
        return withLowStockSignals(state, [
          { type: 'StockCommitted', data: { skuId, reservationId, shipmentId, allocations } },
        ]);
      }
      case 'RestockReturn': {
        const { skuId, locationId, locationType, quantity, caseId, orderId } = command.data;
        assertPositive(quantity);
        const { level } = levelAfter(skuId, locationId, locationType, quantity);
        return withLowStockSignals(state, [
          { type: 'StockRestocked', data: { ...level, quantity, caseId, orderId } },
        ]);
      }
      default: {
        const unexpected: never = command;
        throw new Error(`Unknown command ${(unexpected as { type: string }).type}`);
      }
    }
  };

  return { initialState: () => ({ known: false, locations: {} }), decide, evolve };
}

interface LocationChange {
  readonly locationId: string;
  readonly locationType: LocationType;
  readonly apply: (location: LocationStock) => Partial<LocationStock>;
}

/** How an event changes the locations it touches (one entry per allocation for batches). */
function locationChanges(event: SkuStockEvent): LocationChange[] {
  switch (event.type) {
    case 'StockReceived':
    case 'StockAdjusted':
    case 'StockRestocked': {
      const { locationId, locationType, onHand } = event.data;
      return [{ locationId, locationType, apply: () => ({ onHand }) }];
    }
    case 'LowStockThresholdSet': {
      const { locationId, locationType, threshold } = event.data;
      return [{ locationId, locationType, apply: () => ({ lowStockThreshold: threshold }) }];
    }
    case 'LowStockDetected': {
      const { locationId, locationType } = event.data;
      return [{ locationId, locationType, apply: () => ({ lowStockSignalled: true }) }];
    }
    case 'StockReserved':
      return event.data.allocations.map((a) => ({
        ...a,
        apply: (l) => ({ reserved: l.reserved + a.quantity }),
      }));
    case 'StockReleased':
      return event.data.allocations.map((a) => ({
        ...a,
        apply: (l) => ({ reserved: l.reserved - a.quantity }),
      }));
    case 'StockCommitted':
      return event.data.allocations.map((a) => ({
        ...a,
        apply: (l) => ({ onHand: l.onHand - a.quantity, reserved: l.reserved - a.quantity }),
      }));
    default: {
      const unexpected: never = event;
      throw new Error(`Unknown event ${(unexpected as { type: string }).type}`);
    }
  }
}

function skuOf(event: SkuStockEvent): string {
  return event.data.skuId;
}

function assertPositive(quantity: number): void {
  if (!Number.isInteger(quantity) || quantity <= 0) throw new InvalidQuantity('quantity', quantity);
}

function assertHeld(
  state: SkuStockState,
  skuId: string,
  allocations: readonly StockAllocation[],
): void {
  const byLocation = new Map<string, number>();
  for (const a of allocations) {
    assertPositive(a.quantity);
    byLocation.set(a.locationId, (byLocation.get(a.locationId) ?? 0) + a.quantity);
  }
  for (const [locationId, quantity] of byLocation) {
    const reserved = state.locations[locationId]?.reserved ?? 0;
    if (reserved < quantity) {
      throw new ReservedStockMismatch({ skuId, locationId, reserved, quantity });
    }
  }
}
