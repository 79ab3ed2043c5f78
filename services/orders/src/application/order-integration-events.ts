import type { IntegrationEvent } from '@fulfil/contracts';
import type { RecordedEvent } from '@fulfil/event-store';
import type { OutgoingIntegrationEvent } from '@fulfil/messaging';
import type { OrderEvent } from '../domain/order.events';

/**
 * Domain events (stored) → integration events (published on `orders.events`), explicitly:
 * the timeline fields (`reason` of a transition, `detail`, `at`) stay inside, and `ce_id` is
 * the stored event's id, so a re-publication is recognisably the same event. `OrderShipped`
 * is not published yet: its contract needs carrier and tracking data that logistics brings.
 */
export function toIntegrationEvents(
  recorded: readonly RecordedEvent[],
): OutgoingIntegrationEvent[] {
  return recorded.flatMap((stored) => {
    const event = toIntegrationEvent(stored as unknown as OrderEvent);
    return event ? [{ event, id: stored.eventId, time: stored.recordedAt.toISOString() }] : [];
  });
}

/** A copy of `value` without the `keys` (the domain-only members of an event). */
function omit<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const copy: Partial<T> = { ...value };
  for (const key of keys) delete copy[key];
  return copy as Omit<T, K>;
}

export function toIntegrationEvent(event: OrderEvent): IntegrationEvent | undefined {
  switch (event.type) {
    case 'OrderPlaced': {
      return {
        type: 'fulfil.orders.OrderPlaced',
        version: 1,
        data: omit(event.data, 'reason', 'at'),
      };
    }
    case 'OrderStockReserved': {
      return {
        type: 'fulfil.orders.OrderStockReserved',
        version: 1,
        data: omit(event.data, 'reason', 'at'),
      };
    }
    case 'OrderLinesCancelled': {
      return {
        type: 'fulfil.orders.OrderLinesCancelled',
        version: 1,
        data: omit(event.data, 'at'),
      };
    }
    case 'OrderPaid': {
      return {
        type: 'fulfil.orders.OrderPaid',
        version: 1,
        data: omit(event.data, 'reason', 'at'),
      };
    }
    case 'OrderConfirmed': {
      return {
        type: 'fulfil.orders.OrderConfirmed',
        version: 1,
        data: omit(event.data, 'reason', 'at'),
      };
    }
    case 'OrderCancelled': {
      return {
        type: 'fulfil.orders.OrderCancelled',
        version: 1,
        data: omit(event.data, 'detail', 'at'),
      };
    }
    case 'OrderShipped':
      return undefined;
    default: {
      const unexpected: never = event;
      throw new Error(`no integration event for ${JSON.stringify(unexpected)}`);
    }
  }
}
