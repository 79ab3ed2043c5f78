import type { PlaceOrder } from './order.commands';
import {
  CurrencyMismatch,
  DiscountExceedsTotal,
  InvalidAmount,
  OrderAlreadyPlaced,
  OrderHasNoLines,
  StoreRequired,
} from './order.errors';
import type { OrderPlaced } from './order.events';
import type { Money } from './order.model';
import type { OrderState } from './order.state';
import { money, priceLines, totalsOf } from './order-totals';

/**
 * Places an order: prices the lines and totals them on the server. The rules hold here, not
 * only in the HTTP DTOs, so no path into the decider can store an inconsistent order.
 */
export function placeOrder(command: PlaceOrder, state: OrderState): OrderPlaced[] {
  const order = command.data;
  if (state.status !== 'none') throw new OrderAlreadyPlaced(order.orderId);
  const first = order.lines[0];
  if (!first) throw new OrderHasNoLines();
  const currency = first.unitPrice.currency;
  const lines = priceLines(order.lines, currency);
  const shipping = sameCurrency(order.shipping, 'shipping', currency);
  const discount = sameCurrency(order.discount, 'discount', currency);
  if (order.paymentMethod === 'cash-in-store' && !order.storeId) throw new StoreRequired();

  const totals = totalsOf(lines, shipping, discount);
  if (totals.discount.amountMinor < discount.amountMinor) throw new DiscountExceedsTotal();

  return [
    {
      type: 'OrderPlaced',
      data: {
        orderId: order.orderId,
        orderNumber: order.orderNumber,
        customerId: order.customerId,
        channel: order.channel,
        ...(order.storeId !== undefined && { storeId: order.storeId }),
        lines,
        totals,
        paymentMethod: order.paymentMethod,
        deliveryRegion: order.deliveryRegion,
        reason: 'customer-checkout',
        at: order.at,
      },
    },
  ];
}

function sameCurrency(amount: Money | undefined, field: string, currency: string): Money {
  if (!amount) return money(0, currency);
  if (amount.currency !== currency) {
    throw new CurrencyMismatch(`${field}.currency`, currency, amount.currency);
  }
  if (!Number.isInteger(amount.amountMinor) || amount.amountMinor < 0) {
    throw new InvalidAmount(`${field}.amountMinor`);
  }
  return amount;
}
