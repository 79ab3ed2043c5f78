import type { Decider } from '@fulfil/decider';
import { ReservationNotFound } from '../inventory.errors';
import type { StockAllocation } from '../stock/stock.types';
import type { ReservationCommand, SkuQuantity } from './reservation.commands';
import type { ReservationEvent } from './reservation.events';
import {
  heldFor,
  subtractAllocations,
  takeFromLine,
  type OpenReservation,
  type ReservationLine,
  type ReservationState,
} from './reservation.state';

export type ReservationDecider = Decider<ReservationCommand, ReservationEvent, ReservationState>;

/**
 * One order's reservation. Made once (a repeated MakeReservation changes nothing); expires at
 * `expiresAt` unless confirmed (firm); released in full on cancel, payment failure or expiry;
 * cancelled lines give back only what exceeds the line's remaining demand; shipped lines are
 * committed. Commands for a reservation with nothing held change nothing.
 */
export const reservationDecider: ReservationDecider = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    if (command.type === 'MakeReservation') {
      if (state.status !== 'none') return [];
      const { unknownSkuIds, preferredLocationId, ...made } = command.data;
      const { reservationId, orderId, allocations, shortages } = made;
      if (allocations.length === 0) {
        const onlyUnknown = shortages.every((s) => unknownSkuIds.includes(s.skuId));
        const reason = onlyUnknown ? 'sku-unknown' : 'insufficient-stock';
        return [{ type: 'ReservationFailed', data: { reservationId, orderId, reason, shortages } }];
      }
      const allocatedElsewhere =
        preferredLocationId !== undefined &&
        allocations.some((a) => a.locationId !== preferredLocationId);
      return [
        {
          type: 'ReservationMade',
          data: {
            ...made,
            ...(preferredLocationId === undefined ? {} : { preferredLocationId }),
            allocatedElsewhere,
          },
        },
      ];
    }
    if (state.status === 'none') throw new ReservationNotFound(command.data.reservationId);
    if (state.status === 'failed' || state.held.length === 0) return [];
    const { reservationId, orderId } = state;
    switch (command.type) {
      case 'ConfirmReservation':
        return state.status === 'active'
          ? [{ type: 'ReservationMadeFirm', data: { reservationId, orderId } }]
          : [];
      case 'ExpireReservation': {
        const due = Date.parse(command.data.now) >= Date.parse(state.expiresAt);
        if (state.status !== 'active' || !due) return [];
        return [
          {
            type: 'ReservationReleased',
            data: {
              reservationId,
              orderId,
              reason: 'reservation-expired',
              allocations: state.held,
            },
          },
        ];
      }
      case 'ReleaseReservation':
        return [
          {
            type: 'ReservationReleased',
            data: { reservationId, orderId, reason: command.data.reason, allocations: state.held },
          },
        ];
      case 'CancelReservationLines':
        return cancelLines(state, command.data.lines);
      case 'CommitReservation': {
        const { shipmentId, lines, fullyShipped } = command.data;
        const allocations = fullyShipped ? state.held : shippedAllocations(state, lines);
        if (allocations.length === 0) return [];
        return [
          {
            type: 'ReservationCommitted',
            data: { reservationId, orderId, shipmentId, allocations },
          },
        ];
      }
      default: {
        const unexpected: never = command;
        throw new Error(`Unknown command ${(unexpected as { type: string }).type}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ReservationMade': {
        const { reservationId, orderId, channel, expiresAt, lines, allocations } = event.data;
        return {
          status: 'active',
          reservationId,
          orderId,
          channel,
          expiresAt,
          lines: lines.map((l) => ({
            lineId: l.lineId,
            skuId: l.skuId,
            requested: l.quantity,
            cancelled: 0,
            committed: 0,
          })),
          held: allocations,
        };
      }
      case 'ReservationFailed':
        return {
          status: 'failed',
          reservationId: event.data.reservationId,
          orderId: event.data.orderId,
        };
      case 'ReservationMadeFirm':
        return isOpen(state) ? { ...state, status: 'firm' } : state;
      case 'ReservationReleased':
        return isOpen(state) ? afterTaking(state, event.data.allocations, 'released') : state;
      case 'ReservationLinesCancelled': {
        if (!isOpen(state)) return state;
        const lines = state.lines.map((line) => ({
          ...line,
          cancelled:
            line.cancelled +
            event.data.lines
              .filter((l) => l.lineId === line.lineId)
              .reduce((sum, l) => sum + l.quantity, 0),
        }));
        return afterTaking({ ...state, lines }, event.data.released, 'released');
      }
      case 'ReservationCommitted': {
        if (!isOpen(state)) return state;
        const lines = state.lines.map((line) => ({
          ...line,
          committed: line.committed + unitsOf(event.data.allocations, line.lineId),
        }));
        return afterTaking({ ...state, lines }, event.data.allocations, 'committed');
      }
      default: {
        const unexpected: never = event;
        throw new Error(`Unknown event ${(unexpected as { type: string }).type}`);
      }
    }
  },
};

function isOpen(state: ReservationState): state is OpenReservation {
  return 'held' in state;
}

/** Removes `taken` from what is held; with nothing left the reservation ends as `ending`. */
function afterTaking(
  state: OpenReservation,
  taken: readonly StockAllocation[],
  ending: 'released' | 'committed',
): OpenReservation {
  const held = subtractAllocations(state.held, taken);
  return { ...state, held, status: held.length === 0 ? ending : state.status };
}

function unitsOf(allocations: readonly StockAllocation[], lineId: string): number {
  return allocations.filter((a) => a.lineId === lineId).reduce((sum, a) => sum + a.quantity, 0);
}

/** The order line a SKU quantity from orders refers to (by line id, else the first of the SKU). */
function lineFor(state: OpenReservation, ref: SkuQuantity): ReservationLine | undefined {
  return ref.lineId !== undefined
    ? state.lines.find((line) => line.lineId === ref.lineId && line.skuId === ref.skuId)
    : (state.lines.find(
        (line) => line.skuId === ref.skuId && line.requested - line.cancelled - line.committed > 0,
      ) ?? state.lines.find((line) => line.skuId === ref.skuId));
}

/**
 * Cancelling `quantity` units of a line lowers its remaining demand; only what is held beyond
 * the new demand goes back. So cancelling the short part of a partially reserved line (what
 * orders does under the confirm-available policy) releases nothing.
 */
function cancelLines(state: OpenReservation, refs: readonly SkuQuantity[]): ReservationEvent[] {
  let current = state;
  const lines: { lineId: string; quantity: number }[] = [];
  const released: StockAllocation[] = [];
  for (const ref of refs) {
    const line = lineFor(current, ref);
    if (!line) continue;
    const open = line.requested - line.cancelled - line.committed;
    const cancelled = Math.min(open, ref.quantity);
    if (cancelled <= 0) continue;
    const excess = Math.max(0, heldFor(current, line.lineId) - (open - cancelled));
    const taken = takeFromLine(current.held, line.lineId, excess, 'last');
    lines.push({ lineId: line.lineId, quantity: cancelled });
    released.push(...taken);
    current = {
      ...current,
      lines: current.lines.map((l) =>
        l.lineId === line.lineId ? { ...l, cancelled: l.cancelled + cancelled } : l,
      ),
      held: subtractAllocations(current.held, taken),
    };
  }
  if (lines.length === 0) return [];
  return [
    {
      type: 'ReservationLinesCancelled',
      data: { reservationId: state.reservationId, orderId: state.orderId, lines, released },
    },
  ];
}

function shippedAllocations(
  state: OpenReservation,
  refs: readonly SkuQuantity[],
): StockAllocation[] {
  let held = state.held;
  const shipped: StockAllocation[] = [];
  for (const ref of refs) {
    const line = lineFor(state, ref);
    if (!line) continue;
    const taken = takeFromLine(held, line.lineId, ref.quantity, 'first');
    shipped.push(...taken);
    held = subtractAllocations(held, taken);
  }
  return shipped;
}
