import type { Decider } from '@fulfil/decider';
import { cancelOrder, markShipped } from './cancellation.decisions';
import type { OrderCommand } from './order.commands';
import type { OrderEvent } from './order.events';
import { evolveOrder, initialOrderState, type OrderState } from './order.state';
import {
  expireUnconfirmedOrder,
  recordPaymentFailed,
  recordPaymentIntent,
  recordPaymentReceived,
  recordPaymentTimedOut,
} from './payment.decisions';
import { placeOrder } from './place-order.decision';
import {
  recordReservationExpired,
  recordStockReservationFailed,
  recordStockReserved,
} from './stock.decisions';

function decide(command: OrderCommand, state: OrderState): OrderEvent[] {
  switch (command.type) {
    case 'PlaceOrder':
      return placeOrder(command, state);
    case 'RecordStockReserved':
      return recordStockReserved(command, state);
    case 'RecordStockReservationFailed':
      return recordStockReservationFailed(command, state);
    case 'RecordReservationExpired':
      return recordReservationExpired(command, state);
    case 'RecordPaymentIntent':
      return recordPaymentIntent(command, state);
    case 'RecordPaymentReceived':
      return recordPaymentReceived(command, state);
    case 'RecordPaymentFailed':
      return recordPaymentFailed(command, state);
    case 'RecordPaymentTimedOut':
      return recordPaymentTimedOut(command, state);
    case 'ExpireUnconfirmedOrder':
      return expireUnconfirmedOrder(command, state);
    case 'CancelOrder':
      return cancelOrder(command, state);
    case 'MarkShipped':
      return markShipped(command, state);
    default: {
      const unexpected: never = command;
      throw new Error(`unknown order command ${JSON.stringify(unexpected)}`);
    }
  }
}

/** The Order aggregate (R-ORD-1…5): one stream per order, `order-<orderId>`. */
export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  initialState: initialOrderState,
  decide,
  evolve: evolveOrder,
};

export const orderStreamId = (orderId: string): string => `order-${orderId}`;
