import type {
  ExpireUnconfirmedOrder,
  RecordPaymentFailed,
  RecordPaymentIntent,
  RecordPaymentReceived,
  RecordPaymentTimedOut,
} from './order.commands';
import { OrderStockNotReserved } from './order.errors';
import type { OrderConfirmed, OrderEvent } from './order.events';
import type { CustomerAction, PaymentStatus } from './order.model';
import { UNCONFIRMED, type ExistingOrder, type OrderState } from './order.state';
import { cancellation } from './order-cancellation';

/**
 * Payments' answers (flow step 6). Results for an order that is already confirmed or
 * cancelled are absorbed: they emit nothing (money taken for a cancelled order is refunded
 * by payments itself when it sees the OrderCancelled).
 */

/** Cash on delivery / in store: the intent itself confirms the order, nothing is paid yet. */
const CONFIRMED_BY_INTENT: Readonly<
  Partial<
    Record<
      CustomerAction,
      { paymentStatus: PaymentStatus; reason: OrderConfirmed['data']['reason'] }
    >
  >
> = {
  'pay-on-delivery': { paymentStatus: 'due-on-delivery', reason: 'cash-on-delivery' },
  'pay-in-store': { paymentStatus: 'due-in-store', reason: 'cash-in-store' },
};

/**
 * Whether an intent with this customer action can change an order at all: any other intent
 * (the customer still has to pay) is absorbed whatever the order's state, so a caller may
 * skip loading the order for it.
 */
export const intentConfirmsOrder = (customerAction: CustomerAction): boolean =>
  CONFIRMED_BY_INTENT[customerAction] !== undefined;

export function recordPaymentIntent(command: RecordPaymentIntent, state: OrderState): OrderEvent[] {
  const confirms = CONFIRMED_BY_INTENT[command.data.customerAction];
  if (!confirms || state.status !== 'stock-reserved') return [];
  return [confirmation(state, confirms.paymentStatus, confirms.reason, command.data.at)];
}

/** The first PaymentAuthorised or PaymentCaptured: the order is paid and confirmed. */
export function recordPaymentReceived(
  command: RecordPaymentReceived,
  state: OrderState,
): OrderEvent[] {
  if (state.status === 'placed') throw new OrderStockNotReserved(state.orderId, state.status);
  if (state.status !== 'stock-reserved') return [];
  const { paymentId, method, amount, stage, at } = command.data;
  return [
    {
      type: 'OrderPaid',
      data: {
        orderId: state.orderId,
        paymentId,
        paymentMethod: method,
        amount,
        reason: stage === 'authorised' ? 'payment-authorised' : 'payment-captured',
        at,
      },
    },
    confirmation(state, 'paid', 'payment-received', at),
  ];
}

export function recordPaymentFailed(command: RecordPaymentFailed, state: OrderState): OrderEvent[] {
  if (state.status === 'none' || !UNCONFIRMED.includes(state.status)) return [];
  return [
    cancellation(state, {
      reason: 'payment-failed',
      detail: command.data.reason,
      initiatedBy: 'system',
      at: command.data.at,
    }),
  ];
}

export function recordPaymentTimedOut(
  command: RecordPaymentTimedOut,
  state: OrderState,
): OrderEvent[] {
  return timeOutUnconfirmed(state, 'payment-intent-expired', command.data.at);
}

/** The orders-side safety net when neither payments nor inventory ended a stuck order. */
export function expireUnconfirmedOrder(
  command: ExpireUnconfirmedOrder,
  state: OrderState,
): OrderEvent[] {
  return timeOutUnconfirmed(state, 'confirmation-deadline', command.data.at);
}

/** Cancels an order still waiting for payment or stock as timed out; nothing once it moved on. */
function timeOutUnconfirmed(state: OrderState, detail: string, at: string): OrderEvent[] {
  if (state.status === 'none' || !UNCONFIRMED.includes(state.status)) return [];
  return [cancellation(state, { reason: 'payment-timed-out', detail, initiatedBy: 'system', at })];
}

function confirmation(
  order: ExistingOrder,
  paymentStatus: PaymentStatus,
  reason: OrderConfirmed['data']['reason'],
  at: string,
): OrderConfirmed {
  return {
    type: 'OrderConfirmed',
    data: {
      orderId: order.orderId,
      orderNumber: order.orderNumber,
      customerId: order.customerId,
      channel: order.channel,
      ...(order.storeId !== undefined && { storeId: order.storeId }),
      lines: order.lines,
      totals: order.totals,
      paymentMethod: order.paymentMethod,
      paymentStatus,
      tracking: [],
      reason,
      at,
    },
  };
}
