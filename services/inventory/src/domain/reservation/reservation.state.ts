import type { StockAllocation } from '../stock/stock.types';
import type { SalesChannel } from './reservation.events';

/** An order line as the reservation tracks it. */
export interface ReservationLine {
  readonly lineId: string;
  readonly skuId: string;
  readonly requested: number;
  /** Units of the line the order dropped. */
  readonly cancelled: number;
  /** Units of the line that left with shipments. */
  readonly committed: number;
}

/**
 * `active` expires at `expiresAt`; `firm` (order confirmed) does not; `released` and
 * `committed` hold nothing any more; `failed` never held anything.
 */
export type ReservationStatus = 'active' | 'firm' | 'released' | 'committed';

export type ReservationState =
  | { readonly status: 'none' }
  | { readonly status: 'failed'; readonly reservationId: string; readonly orderId: string }
  | {
      readonly status: ReservationStatus;
      readonly reservationId: string;
      readonly orderId: string;
      readonly channel: SalesChannel;
      readonly expiresAt: string;
      readonly lines: readonly ReservationLine[];
      /** Allocations still reserved (neither released nor committed). */
      readonly held: readonly StockAllocation[];
    };

export type OpenReservation = Extract<ReservationState, { held: readonly StockAllocation[] }>;

/** Units of a line still reserved. */
export const heldFor = (state: OpenReservation, lineId: string): number =>
  state.held.filter((a) => a.lineId === lineId).reduce((sum, a) => sum + a.quantity, 0);

/** `allocations` minus `taken`, matched by line and location; emptied entries disappear. */
export function subtractAllocations(
  allocations: readonly StockAllocation[],
  taken: readonly StockAllocation[],
): StockAllocation[] {
  const left = allocations.map((a) => ({ ...a }));
  for (const t of taken) {
    let open = t.quantity;
    for (const a of left) {
      if (open === 0) break;
      if (a.lineId !== t.lineId || a.locationId !== t.locationId || a.skuId !== t.skuId) continue;
      const take = Math.min(a.quantity, open);
      a.quantity -= take;
      open -= take;
    }
  }
  return left.filter((a) => a.quantity > 0);
}

/**
 * Takes up to `quantity` units of `lineId` from `held`: from the last allocation backwards when
 * releasing (other locations go back before the preferred one), from the first when committing.
 */
export function takeFromLine(
  held: readonly StockAllocation[],
  lineId: string,
  quantity: number,
  from: 'first' | 'last',
): StockAllocation[] {
  const ofLine = held.filter((a) => a.lineId === lineId);
  const ordered = from === 'last' ? [...ofLine].reverse() : ofLine;
  const taken: StockAllocation[] = [];
  let open = quantity;
  for (const a of ordered) {
    if (open === 0) break;
    const take = Math.min(a.quantity, open);
    taken.push({ ...a, quantity: take });
    open -= take;
  }
  return taken;
}
