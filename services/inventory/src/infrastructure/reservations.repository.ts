import type { Queryable, Write } from '@fulfil/event-store';
import type { ReservationEvent } from '../domain/reservation/reservation.events';
import type { ReservationState } from '../domain/reservation/reservation.state';
import type { LineRequest, LineShortage, StockAllocation } from '../domain/stock/stock.types';

/** A reservation as operators read it. */
export interface ReservationView {
  readonly reservationId: string;
  readonly orderId: string;
  readonly status: 'active' | 'firm' | 'released' | 'committed' | 'failed';
  readonly channel: string | null;
  readonly preferredLocationId: string | null;
  readonly allocatedElsewhere: boolean;
  readonly failureReason: string | null;
  readonly expiresAt: Date | null;
  readonly lines: readonly LineRequest[];
  /** Allocations still reserved. */
  readonly held: readonly StockAllocation[];
  readonly shortages: readonly LineShortage[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface Row {
  reservation_id: string;
  order_id: string;
  status: ReservationView['status'];
  channel: string | null;
  preferred_location_id: string | null;
  allocated_elsewhere: boolean;
  failure_reason: string | null;
  expires_at: Date | null;
  lines: LineRequest[];
  held: StockAllocation[];
  shortages: LineShortage[];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `reservation_id, order_id, status, channel, preferred_location_id,
  allocated_elsewhere, failure_reason, expires_at, lines, held, shortages, created_at, updated_at`;

/**
 * `reservations`, written in the transaction that appends the reservation's events (its writes
 * are `Write`s, sent with the other writes of that unit of work).
 */
export class ReservationsRepository {
  /** Creates the row from the reservation's first event (made or failed). */
  insert(event: ReservationEvent): Write | undefined {
    if (event.type === 'ReservationMade') {
      const d = event.data;
      return {
        text: `INSERT INTO reservations (reservation_id, order_id, status, channel,
                 preferred_location_id, allocated_elsewhere, expires_at, lines, held, shortages)
               VALUES ($1, $2, 'active', $3, $4, $5, $6, $7, $8, $9)`,
        values: [
          d.reservationId,
          d.orderId,
          d.channel,
          d.preferredLocationId ?? null,
          d.allocatedElsewhere,
          d.expiresAt,
          JSON.stringify(d.lines),
          JSON.stringify(d.allocations),
          JSON.stringify(d.shortages),
        ],
      };
    }
    if (event.type === 'ReservationFailed') {
      const d = event.data;
      return {
        text: `INSERT INTO reservations (reservation_id, order_id, status, failure_reason, lines,
                 held, shortages)
               VALUES ($1, $2, 'failed', $3, '[]', '[]', $4)`,
        values: [d.reservationId, d.orderId, d.reason, JSON.stringify(d.shortages)],
      };
    }
    return undefined;
  }

  /** Updates status and held allocations after a later event. */
  update(state: ReservationState): Write | undefined {
    if (!('held' in state)) return undefined;
    return {
      text: `UPDATE reservations SET status = $2, held = $3, updated_at = now()
              WHERE reservation_id = $1`,
      values: [state.reservationId, state.status, JSON.stringify(state.held)],
    };
  }

  async find(db: Queryable, reservationId: string): Promise<ReservationView | undefined> {
    const { rows } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM reservations WHERE reservation_id = $1`,
      [reservationId],
    );
    return rows[0] && toView(rows[0]);
  }

  async findByOrder(db: Queryable, orderId: string): Promise<ReservationView | undefined> {
    const { rows } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM reservations WHERE order_id = $1`,
      [orderId],
    );
    return rows[0] && toView(rows[0]);
  }
}

function toView(row: Row): ReservationView {
  return {
    reservationId: row.reservation_id,
    orderId: row.order_id,
    status: row.status,
    channel: row.channel,
    preferredLocationId: row.preferred_location_id,
    allocatedElsewhere: row.allocated_elsewhere,
    failureReason: row.failure_reason,
    expiresAt: row.expires_at,
    lines: row.lines,
    held: row.held,
    shortages: row.shortages,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
