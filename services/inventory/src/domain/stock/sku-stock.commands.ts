import type { AdjustmentReason, LocationType, ReleaseReason, StockAllocation } from './stock.types';

/** Commands of the SKU stock aggregate; ids (receipt, adjustment) come from the caller. */
export type SkuStockCommand =
  | ReceiveStock
  | AdjustStock
  | SetLowStockThreshold
  | ReserveStock
  | ReleaseStock
  | CommitStock
  | RestockReturn;

export interface ReceiveStock {
  readonly type: 'ReceiveStock';
  readonly data: {
    readonly skuId: string;
    readonly locationId: string;
    readonly locationType: LocationType;
    readonly quantity: number;
    readonly receiptId: string;
  };
}

export interface AdjustStock {
  readonly type: 'AdjustStock';
  readonly data: {
    readonly skuId: string;
    readonly locationId: string;
    readonly locationType: LocationType;
    readonly adjustmentId: string;
    readonly delta: number;
    readonly reason: AdjustmentReason;
  };
}

export interface SetLowStockThreshold {
  readonly type: 'SetLowStockThreshold';
  readonly data: {
    readonly skuId: string;
    readonly locationId: string;
    readonly locationType: LocationType;
    readonly threshold: number;
  };
}

/** Reserve lines of this SKU for a reservation; `preferredLocationId` is served first. */
export interface ReserveStock {
  readonly type: 'ReserveStock';
  readonly data: {
    readonly skuId: string;
    readonly reservationId: string;
    readonly orderId: string;
    readonly preferredLocationId?: string;
    readonly lines: readonly { readonly lineId: string; readonly quantity: number }[];
  };
}

/** Give reserved units back to available (the reservation decided which). */
export interface ReleaseStock {
  readonly type: 'ReleaseStock';
  readonly data: {
    readonly skuId: string;
    readonly reservationId: string;
    readonly reason: ReleaseReason;
    readonly allocations: readonly StockAllocation[];
  };
}

/** Reserved units left with a shipment: they are no longer on hand. */
export interface CommitStock {
  readonly type: 'CommitStock';
  readonly data: {
    readonly skuId: string;
    readonly reservationId: string;
    readonly shipmentId: string;
    readonly allocations: readonly StockAllocation[];
  };
}

/** A returned item passed inspection and goes back on the shelf (R-INV-5). */
export interface RestockReturn {
  readonly type: 'RestockReturn';
  readonly data: {
    readonly skuId: string;
    readonly locationId: string;
    readonly locationType: LocationType;
    readonly quantity: number;
    readonly caseId: string;
    readonly orderId: string;
  };
}
