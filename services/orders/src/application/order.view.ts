import type { RecordedEvent } from '@fulfil/event-store';
import type { OrderEvent } from '../domain/order.events';
import type { OrderHead, PaymentStatus } from '../domain/order.model';
import { evolveOrder, initialOrderState, type OrderStatus } from '../domain/order.state';

/** One transition of an order's history (R-ORD-2, R-ORD-5). */
export interface TimelineEntry {
  readonly type: OrderEvent['type'];
  /** The status after the transition. */
  readonly status: OrderStatus;
  readonly reason: string;
  readonly detail?: string;
  readonly at: string;
}

/** An order as the API shows it: its current state and full timeline. No personal data. */
export interface OrderView extends OrderHead {
  readonly status: OrderStatus;
  readonly paymentStatus: PaymentStatus | 'pending';
  readonly reservationId?: string;
  readonly placedAt: string;
  readonly updatedAt: string;
  /** The stream version the view reflects. */
  readonly version: number;
  readonly timeline: readonly TimelineEntry[];
}

/** Folds an order's stored events into its view; `undefined` for an empty stream. */
export function orderViewOf(recorded: readonly RecordedEvent[]): OrderView | undefined {
  let state = initialOrderState();
  const timeline: TimelineEntry[] = [];
  for (const stored of recorded) {
    const event = { type: stored.type, data: stored.data } as OrderEvent;
    state = evolveOrder(state, event);
    if (state.status === 'none') continue;
    timeline.push({
      type: event.type,
      status: state.status,
      reason: event.data.reason,
      ...('detail' in event.data &&
        event.data.detail !== undefined && { detail: event.data.detail }),
      at: event.data.at,
    });
  }
  if (state.status === 'none') return undefined;
  return {
    orderId: state.orderId,
    orderNumber: state.orderNumber,
    status: state.status,
    customerId: state.customerId,
    channel: state.channel,
    ...(state.storeId !== undefined && { storeId: state.storeId }),
    lines: state.lines,
    totals: state.totals,
    paymentMethod: state.paymentMethod,
    paymentStatus: state.paymentStatus ?? 'pending',
    deliveryRegion: state.deliveryRegion,
    ...(state.reservationId !== undefined && { reservationId: state.reservationId }),
    placedAt: timeline[0]!.at,
    updatedAt: timeline[timeline.length - 1]!.at,
    version: recorded[recorded.length - 1]!.streamVersion,
    timeline,
  };
}
