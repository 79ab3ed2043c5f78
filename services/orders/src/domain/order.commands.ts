import type {
  CancellationInitiator,
  CustomerAction,
  DeliveryRegion,
  Money,
  OrderLineInput,
  PaymentMethod,
  SalesChannel,
  ShortagePolicy,
} from './order.model';

/**
 * Commands of the Order aggregate. Each carries `at`, the time of the decision (ISO-8601
 * UTC), and the ids it needs: the decider never reads a clock or makes an id.
 */

export interface PlaceOrder {
  readonly type: 'PlaceOrder';
  readonly data: {
    readonly orderId: string;
    readonly orderNumber: string;
    readonly customerId: string;
    readonly channel: SalesChannel;
    readonly storeId?: string;
    readonly lines: readonly OrderLineInput[];
    /** Absent: free shipping in the order's currency. */
    readonly shipping?: Money;
    readonly discount?: Money;
    readonly paymentMethod: PaymentMethod;
    readonly deliveryRegion: DeliveryRegion;
    readonly at: string;
  };
}

/** A quantity inventory could not reserve: matched to a line by `lineId`, else by `skuId`. */
export interface StockShortage {
  readonly lineId?: string;
  readonly skuId: string;
  readonly quantity: number;
}

export interface RecordStockReserved {
  readonly type: 'RecordStockReserved';
  readonly data: {
    readonly reservationId: string;
    readonly expiresAt: string;
    readonly shortages: readonly StockShortage[];
    readonly policy: ShortagePolicy;
    readonly at: string;
  };
}

export interface RecordStockReservationFailed {
  readonly type: 'RecordStockReservationFailed';
  readonly data: {
    readonly reservationId: string;
    readonly reason: 'insufficient-stock' | 'sku-unknown' | 'sku-blocked';
    readonly at: string;
  };
}

/** Inventory let an unconfirmed reservation expire. */
export interface RecordReservationExpired {
  readonly type: 'RecordReservationExpired';
  readonly data: { readonly reservationId: string; readonly at: string };
}

export interface RecordPaymentIntent {
  readonly type: 'RecordPaymentIntent';
  readonly data: {
    readonly paymentId: string;
    readonly customerAction: CustomerAction;
    readonly at: string;
  };
}

/** The first of PaymentAuthorised / PaymentCaptured for the order. */
export interface RecordPaymentReceived {
  readonly type: 'RecordPaymentReceived';
  readonly data: {
    readonly paymentId: string;
    readonly method: PaymentMethod;
    readonly amount: Money;
    readonly stage: 'authorised' | 'captured';
    readonly at: string;
  };
}

export interface RecordPaymentFailed {
  readonly type: 'RecordPaymentFailed';
  readonly data: { readonly paymentId: string; readonly reason: string; readonly at: string };
}

export interface RecordPaymentTimedOut {
  readonly type: 'RecordPaymentTimedOut';
  readonly data: { readonly paymentId: string; readonly at: string };
}

/** The orders-side safety deadline (ORDER_CONFIRMATION_TIMEOUT_SECONDS) passed. */
export interface ExpireUnconfirmedOrder {
  readonly type: 'ExpireUnconfirmedOrder';
  readonly data: { readonly at: string };
}

export interface CancelOrder {
  readonly type: 'CancelOrder';
  readonly data: {
    readonly orderId: string;
    readonly reason: 'customer-request' | 'operations' | 'fraud-suspected';
    readonly initiatedBy: CancellationInitiator;
    readonly at: string;
  };
}

export interface MarkShipped {
  readonly type: 'MarkShipped';
  readonly data: { readonly orderId: string; readonly shipmentId: string; readonly at: string };
}

export type OrderCommand =
  | PlaceOrder
  | RecordStockReserved
  | RecordStockReservationFailed
  | RecordReservationExpired
  | RecordPaymentIntent
  | RecordPaymentReceived
  | RecordPaymentFailed
  | RecordPaymentTimedOut
  | ExpireUnconfirmedOrder
  | CancelOrder
  | MarkShipped;
