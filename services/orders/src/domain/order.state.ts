import type { OrderEvent } from './order.events';
import type { Money, OrderHead, OrderLine, PaymentStatus } from './order.model';

/** The lifecycle of R-ORD-2. `paid` is passed through on the way to `confirmed`. */
export const ORDER_STATUSES = [
  'placed',
  'stock-reserved',
  'paid',
  'confirmed',
  'fulfilment-requested',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Allowed transitions, at a glance. `shipped → shipped`: split shipments. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  placed: ['stock-reserved', 'cancelled'],
  'stock-reserved': ['paid', 'confirmed', 'cancelled'],
  paid: ['confirmed', 'cancelled'],
  confirmed: ['fulfilment-requested', 'shipped', 'cancelled'],
  'fulfilment-requested': ['shipped', 'cancelled'],
  shipped: ['shipped', 'delivered'],
  delivered: ['completed'],
  completed: [],
  cancelled: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean =>
  ORDER_TRANSITIONS[from].includes(to);

/** States in which the order still waits for stock or payment (the timeouts apply). */
export const UNCONFIRMED: readonly OrderStatus[] = ['placed', 'stock-reserved', 'paid'];

export interface NoOrder {
  readonly status: 'none';
}

export interface ExistingOrder extends OrderHead {
  readonly status: OrderStatus;
  readonly reservationId?: string;
  readonly paymentId?: string;
  readonly paid?: Money;
  readonly paymentStatus?: PaymentStatus;
  readonly shipmentIds: readonly string[];
}

export type OrderState = NoOrder | ExistingOrder;

export const initialOrderState = (): OrderState => ({ status: 'none' });

/** One fold step; never throws (events are facts), ignores events without an order. */
export function evolveOrder(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === 'OrderPlaced') {
    const placed = event.data;
    return {
      status: 'placed',
      orderId: placed.orderId,
      orderNumber: placed.orderNumber,
      customerId: placed.customerId,
      channel: placed.channel,
      ...(placed.storeId !== undefined && { storeId: placed.storeId }),
      lines: placed.lines,
      totals: placed.totals,
      paymentMethod: placed.paymentMethod,
      deliveryRegion: placed.deliveryRegion,
      shipmentIds: [],
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'OrderStockReserved':
      return { ...state, status: 'stock-reserved', reservationId: event.data.reservationId };
    case 'OrderLinesCancelled':
      return {
        ...state,
        lines: withoutQuantities(state.lines, event.data.lines),
        totals: event.data.newTotals,
      };
    case 'OrderPaid':
      return {
        ...state,
        status: 'paid',
        paymentId: event.data.paymentId,
        paid: event.data.amount,
        paymentStatus: 'paid',
      };
    case 'OrderConfirmed':
      return { ...state, status: 'confirmed', paymentStatus: event.data.paymentStatus };
    case 'OrderCancelled':
      return { ...state, status: 'cancelled' };
    case 'OrderShipped':
      return {
        ...state,
        status: 'shipped',
        shipmentIds: [...state.shipmentIds, event.data.shipmentId],
      };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

/** The lines after taking `dropped` quantities away; lines left with nothing disappear. */
export function withoutQuantities(
  lines: readonly OrderLine[],
  dropped: readonly { lineId: string; quantity: number }[],
): OrderLine[] {
  return lines.flatMap((line) => {
    const removed = dropped
      .filter((d) => d.lineId === line.lineId)
      .reduce((sum, d) => sum + d.quantity, 0);
    const quantity = line.quantity - removed;
    if (quantity <= 0) return [];
    if (removed === 0) return [line];
    return [
      {
        ...line,
        quantity,
        lineTotal: {
          amountMinor: line.unitPrice.amountMinor * quantity,
          currency: line.lineTotal.currency,
        },
      },
    ];
  });
}
