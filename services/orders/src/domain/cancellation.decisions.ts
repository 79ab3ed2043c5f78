import type { CancelOrder, MarkShipped } from './order.commands';
import {
  OrderAlreadyCancelled,
  OrderAlreadyShipped,
  OrderNotConfirmed,
  OrderNotFound,
} from './order.errors';
import type { OrderEvent } from './order.events';
import { canTransition, type OrderState } from './order.state';
import { cancellation } from './order-cancellation';

/** Cancel before shipment (R-ORD-2); refused once the order shipped or was cancelled. */
export function cancelOrder(command: CancelOrder, state: OrderState): OrderEvent[] {
  const { orderId, reason, initiatedBy, at } = command.data;
  if (state.status === 'none') throw new OrderNotFound(orderId);
  if (state.status === 'cancelled') throw new OrderAlreadyCancelled(orderId);
  if (!canTransition(state.status, 'cancelled')) {
    throw new OrderAlreadyShipped(orderId, state.status);
  }
  return [cancellation(state, { reason, initiatedBy, at })];
}

/** A parcel left (logistics drives this in a later issue); the same shipment twice is a no-op. */
export function markShipped(command: MarkShipped, state: OrderState): OrderEvent[] {
  const { orderId, shipmentId, at } = command.data;
  if (state.status === 'none') throw new OrderNotFound(orderId);
  if (state.status === 'cancelled') throw new OrderAlreadyCancelled(orderId);
  if (!canTransition(state.status, 'shipped')) throw new OrderNotConfirmed(orderId, state.status);
  if (state.shipmentIds.includes(shipmentId)) return [];
  return [{ type: 'OrderShipped', data: { orderId, shipmentId, reason: 'parcel-dispatched', at } }];
}
