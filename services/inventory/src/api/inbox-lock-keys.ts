import {
  AfterSalesEventTypes,
  OrdersEventTypes,
  type IntegrationEvent,
  type OrderConfirmedV1Data,
  type OrderPlacedV1Data,
  type RestockRequestedV1Data,
} from '@fulfil/contracts';
import { reservationLockKey, skuLockKeys } from '../application/stock-locks';
import { v1Data } from './event-version';

/**
 * The locks the Kafka controllers' handling of `event` takes, as the inbox needs them to handle
 * several waiting events in one transaction (`lockKeys` of `connectInbox`): it takes a group's
 * locks together, in order, before any handler. Every key a handler locks must be here, or two
 * groups could deadlock; `undefined` when the event's locks depend on stored state, so it is
 * handled in a transaction of its own.
 */
export function inboxLockKeys(event: IntegrationEvent): readonly string[] | undefined {
  if (event.version !== 1) return undefined; // refused by its handler, alone
  switch (event.type) {
    case OrdersEventTypes.OrderPlaced: {
      // A new reservation: only its SKUs are locked (`reserveForOrder`).
      const { lines } = v1Data<OrderPlacedV1Data>(event, event.type);
      return skuLockKeys(lines.map((line) => line.skuId));
    }
    case OrdersEventTypes.OrderConfirmed:
      // Confirming changes no stock: the reservation's lock only.
      return [reservationLockKey(v1Data<OrderConfirmedV1Data>(event, event.type).orderId)];
    case AfterSalesEventTypes.RestockRequested: {
      const { lines } = v1Data<RestockRequestedV1Data>(event, event.type);
      return skuLockKeys(lines.map((line) => line.skuId));
    }
    default:
      // Cancellations and shipments lock the SKUs their decision changes: known only once the
      // reservation is loaded.
      return undefined;
  }
}
