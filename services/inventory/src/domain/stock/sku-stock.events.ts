import type {
  AdjustmentReason,
  LineShortage,
  LocationType,
  ReleaseReason,
  StockAllocation,
} from './stock.types';

/**
 * Events of the SKU stock aggregate (stream `sku-<skuId>`: every location of one SKU, so one
 * stream guards the no-oversell rule). Events that change one location's level carry the
 * level after the change (`onHand`, `available`), which is what readers and the integration
 * events need.
 */
export type SkuStockEvent =
  | StockReceived
  | StockAdjusted
  | LowStockThresholdSet
  | StockReserved
  | StockReleased
  | StockCommitted
  | StockRestocked
  | LowStockDetected;

interface LevelAfter {
  readonly skuId: string;
  readonly locationId: string;
  readonly locationType: LocationType;
  readonly onHand: number;
  readonly available: number;
}

export interface StockReceived {
  readonly type: 'StockReceived';
  readonly data: LevelAfter & { readonly receiptId: string; readonly quantity: number };
}

export interface StockAdjusted {
  readonly type: 'StockAdjusted';
  readonly data: LevelAfter & {
    readonly adjustmentId: string;
    readonly delta: number;
    readonly reason: AdjustmentReason;
  };
}

export interface LowStockThresholdSet {
  readonly type: 'LowStockThresholdSet';
  readonly data: {
    readonly skuId: string;
    readonly locationId: string;
    readonly locationType: LocationType;
    readonly threshold: number;
  };
}

export interface StockReserved {
  readonly type: 'StockReserved';
  readonly data: {
    readonly skuId: string;
    readonly reservationId: string;
    readonly orderId: string;
    readonly allocations: readonly StockAllocation[];
    readonly shortages: readonly LineShortage[];
  };
}

export interface StockReleased {
  readonly type: 'StockReleased';
  readonly data: {
    readonly skuId: string;
    readonly reservationId: string;
    readonly reason: ReleaseReason;
    readonly allocations: readonly StockAllocation[];
  };
}

export interface StockCommitted {
  readonly type: 'StockCommitted';
  readonly data: {
    readonly skuId: string;
    readonly reservationId: string;
    readonly shipmentId: string;
    readonly allocations: readonly StockAllocation[];
  };
}

export interface StockRestocked {
  readonly type: 'StockRestocked';
  readonly data: LevelAfter & {
    readonly quantity: number;
    readonly caseId: string;
    readonly orderId: string;
  };
}

export interface LowStockDetected {
  readonly type: 'LowStockDetected';
  readonly data: {
    readonly skuId: string;
    readonly locationId: string;
    readonly locationType: LocationType;
    readonly available: number;
    readonly threshold: number;
  };
}
