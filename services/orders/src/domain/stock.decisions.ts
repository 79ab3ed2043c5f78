import type {
  RecordReservationExpired,
  RecordStockReservationFailed,
  RecordStockReserved,
  StockShortage,
} from './order.commands';
import type { OrderEvent, OrderStockReserved } from './order.events';
import type { LineQuantity, OrderLine } from './order.model';
import { UNCONFIRMED, withoutQuantities, type OrderState } from './order.state';
import { cancellation } from './order-cancellation';
import { money, totalsOf } from './order-totals';

/**
 * Inventory's answer to OrderPlaced (flow step 3). Only a `placed` order takes it: a
 * duplicate, or an answer for an order already cancelled, changes nothing (inventory releases
 * a reservation of a cancelled order itself when it sees the OrderCancelled).
 */
export function recordStockReserved(command: RecordStockReserved, state: OrderState): OrderEvent[] {
  if (state.status !== 'placed') return [];
  const { reservationId, expiresAt, policy, at } = command.data;
  const reserved = (
    unreservedLines: readonly LineQuantity[],
    reason: OrderStockReserved['data']['reason'],
  ): OrderStockReserved => ({
    type: 'OrderStockReserved',
    data: {
      orderId: state.orderId,
      reservationId,
      reservationExpiresAt: expiresAt,
      unreservedLines,
      reason,
      at,
    },
  });

  const short = shortLines(state.lines, command.data.shortages);
  if (short.length === 0) return [reserved([], 'stock-reserved')];

  const remaining = withoutQuantities(state.lines, short);
  if (policy === 'cancel' || remaining.length === 0) {
    return [
      cancellation(state, {
        reason: 'stock-shortage',
        detail: 'partial-stock',
        initiatedBy: 'system',
        reservationId,
        at,
      }),
    ];
  }
  const currency = state.totals.total.currency;
  return [
    {
      type: 'OrderLinesCancelled',
      data: {
        orderId: state.orderId,
        customerId: state.customerId,
        lines: short,
        refundDue: money(0, currency),
        newTotals: totalsOf(remaining, state.totals.shipping, state.totals.discount),
        reason: 'stock-shortage',
        at,
      },
    },
    reserved(short, 'stock-partially-reserved'),
  ];
}

/** Nothing could be reserved (insufficient stock, unknown or blocked SKU): the order is off. */
export function recordStockReservationFailed(
  command: RecordStockReservationFailed,
  state: OrderState,
): OrderEvent[] {
  if (state.status !== 'placed') return [];
  return [
    cancellation(state, {
      reason: 'stock-shortage',
      detail: command.data.reason,
      initiatedBy: 'system',
      at: command.data.at,
    }),
  ];
}

/** Inventory's reservation ran out before the order was confirmed: the customer never paid. */
export function recordReservationExpired(
  command: RecordReservationExpired,
  state: OrderState,
): OrderEvent[] {
  if (state.status === 'none' || !UNCONFIRMED.includes(state.status)) return [];
  if (state.reservationId !== command.data.reservationId) return [];
  return [
    cancellation(state, {
      reason: 'payment-timed-out',
      detail: 'reservation-expired',
      initiatedBy: 'system',
      at: command.data.at,
    }),
  ];
}

/**
 * The short quantity of each line, capped at what the line ordered. A shortage names its
 * line by `lineId`; without one it goes to the first line of that SKU with room left.
 */
export function shortLines(
  lines: readonly OrderLine[],
  shortages: readonly StockShortage[],
): LineQuantity[] {
  const short = new Map<string, number>();
  const room = (line: OrderLine) => line.quantity - (short.get(line.lineId) ?? 0);
  for (const shortage of shortages) {
    if (shortage.quantity <= 0) continue;
    const line =
      shortage.lineId !== undefined
        ? lines.find((l) => l.lineId === shortage.lineId)
        : lines.find((l) => l.skuId === shortage.skuId && room(l) > 0);
    if (!line) continue;
    short.set(
      line.lineId,
      Math.min(line.quantity, (short.get(line.lineId) ?? 0) + shortage.quantity),
    );
  }
  return lines
    .filter((line) => (short.get(line.lineId) ?? 0) > 0)
    .map((line) => ({ lineId: line.lineId, skuId: line.skuId, quantity: short.get(line.lineId)! }));
}
