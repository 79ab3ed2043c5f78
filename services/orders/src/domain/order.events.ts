import type {
  CancellationInitiator,
  CancellationReason,
  LineQuantity,
  Money,
  OrderHead,
  OrderTotals,
  PaymentMethod,
  PaymentStatus,
} from './order.model';

/**
 * Domain events of the Order aggregate, as stored in the order's stream. Every one is a
 * transition of the timeline (R-ORD-2, R-ORD-5): it carries a `reason` and the time `at`
 * (from the command, never the clock). No personal data: the delivery address lives in a
 * mutable table, the log keeps only the region.
 */

export interface OrderPlaced {
  readonly type: 'OrderPlaced';
  readonly data: OrderHead & {
    readonly reason: 'customer-checkout';
    readonly at: string;
  };
}

export interface OrderStockReserved {
  readonly type: 'OrderStockReserved';
  readonly data: {
    readonly orderId: string;
    readonly reservationId: string;
    readonly reservationExpiresAt: string;
    /** Lines (or parts) inventory could not reserve and the policy dropped; empty normally. */
    readonly unreservedLines: readonly LineQuantity[];
    readonly reason: 'stock-reserved' | 'stock-partially-reserved';
    readonly at: string;
  };
}

export interface OrderLinesCancelled {
  readonly type: 'OrderLinesCancelled';
  readonly data: {
    readonly orderId: string;
    readonly customerId: string;
    readonly lines: readonly LineQuantity[];
    readonly refundDue: Money;
    readonly newTotals: OrderTotals;
    readonly reason: 'stock-shortage';
    readonly at: string;
  };
}

export interface OrderPaid {
  readonly type: 'OrderPaid';
  readonly data: {
    readonly orderId: string;
    readonly paymentId: string;
    readonly paymentMethod: PaymentMethod;
    readonly amount: Money;
    readonly reason: 'payment-authorised' | 'payment-captured';
    readonly at: string;
  };
}

/** Carries everything the confirmation message needs (R-ORD-4, R-NOT-1). */
export interface OrderConfirmed {
  readonly type: 'OrderConfirmed';
  readonly data: Omit<OrderHead, 'deliveryRegion'> & {
    readonly paymentStatus: PaymentStatus;
    readonly tracking: readonly { shipmentId: string; carrier: string; trackingNumber: string }[];
    readonly reason: 'payment-received' | 'cash-on-delivery' | 'cash-in-store';
    readonly at: string;
  };
}

export interface OrderCancelled {
  readonly type: 'OrderCancelled';
  readonly data: {
    readonly orderId: string;
    readonly orderNumber: string;
    readonly customerId: string;
    readonly reason: CancellationReason;
    /** The finer cause, e.g. `sku-unknown`, `declined`, `reservation-expired`, `confirmation-deadline`. */
    readonly detail?: string;
    readonly initiatedBy: CancellationInitiator;
    /** Set when stock is reserved, so inventory releases exactly that reservation. */
    readonly reservationId?: string;
    /** Set when money was taken, so payments refunds it. */
    readonly refundDue?: Money;
    readonly at: string;
  };
}

/** Minimal until logistics arrives: enough that cancellation is refused after shipment. */
export interface OrderShipped {
  readonly type: 'OrderShipped';
  readonly data: {
    readonly orderId: string;
    readonly shipmentId: string;
    readonly reason: 'parcel-dispatched';
    readonly at: string;
  };
}

export type OrderEvent =
  | OrderPlaced
  | OrderStockReserved
  | OrderLinesCancelled
  | OrderPaid
  | OrderConfirmed
  | OrderCancelled
  | OrderShipped;

export type OrderEventType = OrderEvent['type'];

export const ORDER_EVENT_TYPES: readonly OrderEventType[] = [
  'OrderPlaced',
  'OrderStockReserved',
  'OrderLinesCancelled',
  'OrderPaid',
  'OrderConfirmed',
  'OrderCancelled',
  'OrderShipped',
];
