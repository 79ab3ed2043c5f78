import type { LocationType } from './stock.types';

/** One location's stock of a SKU. `available` is always `onHand - reserved`. */
export interface LocationStock {
  readonly locationType: LocationType;
  readonly onHand: number;
  readonly reserved: number;
  /** Explicit low-stock threshold; null means the service default. */
  readonly lowStockThreshold: number | null;
  /** LowStockDetected was emitted and available has not risen above the threshold since. */
  readonly lowStockSignalled: boolean;
}

/** The SKU stock aggregate: every location of one SKU. `known` once stock was first received. */
export interface SkuStockState {
  readonly known: boolean;
  readonly locations: Readonly<Record<string, LocationStock>>;
}

export const emptyLocation = (locationType: LocationType): LocationStock => ({
  locationType,
  onHand: 0,
  reserved: 0,
  lowStockThreshold: null,
  lowStockSignalled: false,
});

export const availableAt = (location: LocationStock | undefined): number =>
  location ? location.onHand - location.reserved : 0;

export const totalAvailable = (state: SkuStockState): number =>
  Object.values(state.locations).reduce((sum, location) => sum + availableAt(location), 0);
