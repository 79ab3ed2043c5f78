import type { LineRequest, LineShortage, StockAllocation } from '../stock/stock.types';
import type { ReservationReleased, SalesChannel } from './reservation.events';

export type ReservationCommand =
  | MakeReservation
  | ConfirmReservation
  | ExpireReservation
  | ReleaseReservation
  | CancelReservationLines
  | CommitReservation;

/** Units of a SKU, tied to an order line when `lineId` is given (as orders sends them). */
export interface SkuQuantity {
  readonly lineId?: string;
  readonly skuId: string;
  readonly quantity: number;
}

/** Record the outcome of allocating an order's lines (the SKU aggregates did the allocating). */
export interface MakeReservation {
  readonly type: 'MakeReservation';
  readonly data: {
    readonly reservationId: string;
    readonly orderId: string;
    readonly channel: SalesChannel;
    readonly preferredLocationId?: string;
    readonly lines: readonly LineRequest[];
    readonly allocations: readonly StockAllocation[];
    readonly shortages: readonly LineShortage[];
    /** SKUs of the order the inventory has never stocked. */
    readonly unknownSkuIds: readonly string[];
    readonly expiresAt: string;
  };
}

/** The order was confirmed (paid or pay-later): keep the stock until shipment. */
export interface ConfirmReservation {
  readonly type: 'ConfirmReservation';
  readonly data: { readonly reservationId: string };
}

/** The reservation's deadline passed: release it unless it became firm. */
export interface ExpireReservation {
  readonly type: 'ExpireReservation';
  readonly data: { readonly reservationId: string; readonly now: string };
}

export interface ReleaseReservation {
  readonly type: 'ReleaseReservation';
  readonly data: {
    readonly reservationId: string;
    readonly reason: Exclude<ReservationReleased['data']['reason'], 'reservation-expired'>;
  };
}

export interface CancelReservationLines {
  readonly type: 'CancelReservationLines';
  readonly data: { readonly reservationId: string; readonly lines: readonly SkuQuantity[] };
}

/** A shipment left: commit the shipped lines' units, or everything held when fully shipped. */
export interface CommitReservation {
  readonly type: 'CommitReservation';
  readonly data: {
    readonly reservationId: string;
    readonly shipmentId: string;
    readonly lines: readonly SkuQuantity[];
    readonly fullyShipped: boolean;
  };
}
