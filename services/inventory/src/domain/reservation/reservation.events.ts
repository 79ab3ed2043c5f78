import type {
  LineRequest,
  LineShortage,
  ReleaseReason,
  StockAllocation,
} from '../stock/stock.types';

/** Sales channel of the order, carried through to the published StockReserved. */
export type SalesChannel = 'web' | 'app' | 'mini-program' | 'store-pos';

/**
 * Events of the reservation aggregate (stream `reservation-<reservationId>`): one order's
 * reservation across SKUs and locations, its expiry and what became of each allocation.
 */
export type ReservationEvent =
  | ReservationMade
  | ReservationFailed
  | ReservationMadeFirm
  | ReservationReleased
  | ReservationLinesCancelled
  | ReservationCommitted;

export interface ReservationMade {
  readonly type: 'ReservationMade';
  readonly data: {
    readonly reservationId: string;
    readonly orderId: string;
    readonly channel: SalesChannel;
    readonly preferredLocationId?: string;
    readonly lines: readonly LineRequest[];
    readonly allocations: readonly StockAllocation[];
    readonly shortages: readonly LineShortage[];
    /** Some stock comes from another location than the preferred one. */
    readonly allocatedElsewhere: boolean;
    readonly expiresAt: string;
  };
}

export interface ReservationFailed {
  readonly type: 'ReservationFailed';
  readonly data: {
    readonly reservationId: string;
    readonly orderId: string;
    readonly reason: 'insufficient-stock' | 'sku-unknown';
    readonly shortages: readonly LineShortage[];
  };
}

/** The order was confirmed: the reservation no longer expires. */
export interface ReservationMadeFirm {
  readonly type: 'ReservationMadeFirm';
  readonly data: { readonly reservationId: string; readonly orderId: string };
}

export interface ReservationReleased {
  readonly type: 'ReservationReleased';
  readonly data: {
    readonly reservationId: string;
    readonly orderId: string;
    readonly reason: Exclude<ReleaseReason, 'lines-cancelled'>;
    readonly allocations: readonly StockAllocation[];
  };
}

/** Some units of some lines were cancelled; `released` is what that gave back (may be none). */
export interface ReservationLinesCancelled {
  readonly type: 'ReservationLinesCancelled';
  readonly data: {
    readonly reservationId: string;
    readonly orderId: string;
    readonly lines: readonly { readonly lineId: string; readonly quantity: number }[];
    readonly released: readonly StockAllocation[];
  };
}

export interface ReservationCommitted {
  readonly type: 'ReservationCommitted';
  readonly data: {
    readonly reservationId: string;
    readonly orderId: string;
    readonly shipmentId: string;
    readonly allocations: readonly StockAllocation[];
  };
}
