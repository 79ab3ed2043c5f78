import type { OrderCancelled } from './order.events';
import type { CancellationInitiator, CancellationReason } from './order.model';
import type { ExistingOrder } from './order.state';

/**
 * The OrderCancelled event for `order`: with its reservation (so inventory releases it) and,
 * when money was taken, the amount to refund (so payments pays it back).
 */
export function cancellation(
  order: ExistingOrder,
  cause: {
    readonly reason: CancellationReason;
    readonly initiatedBy: CancellationInitiator;
    readonly detail?: string;
    readonly reservationId?: string;
    readonly at: string;
  },
): OrderCancelled {
  const reservationId = cause.reservationId ?? order.reservationId;
  return {
    type: 'OrderCancelled',
    data: {
      orderId: order.orderId,
      orderNumber: order.orderNumber,
      customerId: order.customerId,
      reason: cause.reason,
      ...(cause.detail !== undefined && { detail: cause.detail }),
      initiatedBy: cause.initiatedBy,
      ...(reservationId !== undefined && { reservationId }),
      ...(order.paid !== undefined && { refundDue: order.paid }),
      at: cause.at,
    },
  };
}
