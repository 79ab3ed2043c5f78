import { deciderSpec } from '@fulfil/decider';
import type { StockAllocation } from '../stock/stock.types';
import type { MakeReservation } from './reservation.commands';
import { reservationDecider } from './reservation.decider';
import type { ReservationEvent } from './reservation.events';

const given = deciderSpec(reservationDecider);
const ids = { reservationId: 'res-1', orderId: 'ord-1' };
const EXPIRES = '2026-11-23T09:20:00.000Z';

const alloc = (
  lineId: string,
  locationId: string,
  quantity: number,
  skuId = 'sku-a',
): StockAllocation => ({
  lineId,
  skuId,
  locationId,
  locationType: locationId.startsWith('st') ? 'store' : 'warehouse',
  quantity,
});
const lines = [
  { lineId: 'l1', skuId: 'sku-a', quantity: 3 },
  { lineId: 'l2', skuId: 'sku-b', quantity: 2 },
];
const make = (
  allocations: StockAllocation[],
  shortages: MakeReservation['data']['shortages'] = [],
  unknownSkuIds: string[] = [],
): MakeReservation => ({
  type: 'MakeReservation',
  data: {
    ...ids,
    channel: 'app',
    preferredLocationId: 'st-1',
    lines,
    allocations,
    shortages,
    unknownSkuIds,
    expiresAt: EXPIRES,
  },
});
const made = (allocations: StockAllocation[], allocatedElsewhere = false): ReservationEvent => ({
  type: 'ReservationMade',
  data: {
    ...ids,
    channel: 'app',
    preferredLocationId: 'st-1',
    lines,
    allocations,
    shortages: [],
    allocatedElsewhere,
    expiresAt: EXPIRES,
  },
});
const full = [alloc('l1', 'st-1', 3), alloc('l2', 'wh-1', 2, 'sku-b')];
const released = (
  reason: 'order-cancelled' | 'reservation-expired' | 'payment-failed',
  allocations = full,
): ReservationEvent => ({
  type: 'ReservationReleased',
  data: { ...ids, reason, allocations },
});
const firm: ReservationEvent = { type: 'ReservationMadeFirm', data: ids };

describe('reservation decider', () => {
  describe('making', () => {
    it('records the allocations and whether stock came from elsewhere', () =>
      given([])
        .when(make(full))
        .then([made(full, true)]));

    it('is made once: a repeated request changes nothing', () =>
      given([made(full, true)])
        .when(make(full))
        .then([]));

    it('fails with insufficient-stock when nothing could be reserved', () => {
      const shortages = [
        { lineId: 'l1', skuId: 'sku-a', requested: 3, available: 0 },
        { lineId: 'l2', skuId: 'sku-b', requested: 2, available: 0 },
      ];
      given([])
        .when(make([], shortages, ['sku-b']))
        .then([
          { type: 'ReservationFailed', data: { ...ids, reason: 'insufficient-stock', shortages } },
        ]);
      given([])
        .when(make([], shortages, ['sku-a', 'sku-b']))
        .then([{ type: 'ReservationFailed', data: { ...ids, reason: 'sku-unknown', shortages } }]);
    });
  });

  describe('expiry', () => {
    const expire = (now: string) => ({
      type: 'ExpireReservation' as const,
      data: { reservationId: 'res-1', now },
    });

    it('releases everything held once the deadline has passed', () =>
      given([made(full)])
        .when(expire(EXPIRES))
        .then([released('reservation-expired')]));

    it('does nothing before the deadline', () =>
      given([made(full)])
        .when(expire('2026-11-23T09:19:59.000Z'))
        .then([]));

    it('never expires a firm reservation', () =>
      given([made(full), firm])
        .when(expire('2026-11-24T00:00:00.000Z'))
        .then([]));

    it('does nothing once released', () =>
      given([made(full), released('order-cancelled')])
        .when(expire(EXPIRES))
        .then([]));
  });

  describe('confirming and releasing', () => {
    it('becomes firm once, only while active', () => {
      given([made(full)])
        .when({ type: 'ConfirmReservation', data: { reservationId: 'res-1' } })
        .then([firm]);
      given([made(full), firm])
        .when({ type: 'ConfirmReservation', data: { reservationId: 'res-1' } })
        .then([]);
    });

    it('releases everything held on cancel, with the reason', () =>
      given([made(full), firm])
        .when({
          type: 'ReleaseReservation',
          data: { reservationId: 'res-1', reason: 'payment-failed' },
        })
        .then([released('payment-failed')]));

    it('releases nothing twice', () =>
      given([made(full), released('order-cancelled')])
        .when({
          type: 'ReleaseReservation',
          data: { reservationId: 'res-1', reason: 'order-cancelled' },
        })
        .then([]));

    it('refuses commands for a reservation never made', () =>
      given([])
        .when({
          type: 'ReleaseReservation',
          data: { reservationId: 'res-1', reason: 'order-cancelled' },
        })
        .thenThrows('INVENTORY.RESERVATION_NOT_FOUND'));

    it('does nothing for a failed reservation', () =>
      given([
        {
          type: 'ReservationFailed',
          data: { ...ids, reason: 'insufficient-stock', shortages: [] },
        },
      ])
        .when({
          type: 'ReleaseReservation',
          data: { reservationId: 'res-1', reason: 'order-cancelled' },
        })
        .then([]));
  });

  describe('cancelling lines', () => {
    const cancel = (lineId: string | undefined, skuId: string, quantity: number) => ({
      type: 'CancelReservationLines' as const,
      data: { reservationId: 'res-1', lines: [{ ...(lineId ? { lineId } : {}), skuId, quantity }] },
    });
    const split = [alloc('l1', 'st-1', 1), alloc('l1', 'wh-1', 2), alloc('l2', 'wh-1', 2, 'sku-b')];

    it('releases the cancelled units of a fully reserved line, other locations first', () =>
      given([made(split, true)])
        .when(cancel('l1', 'sku-a', 2))
        .then([
          {
            type: 'ReservationLinesCancelled',
            data: {
              ...ids,
              lines: [{ lineId: 'l1', quantity: 2 }],
              released: [alloc('l1', 'wh-1', 2)],
            },
          },
        ]));

    it('releases nothing when the short part of a partially reserved line is cancelled', () => {
      const partial = [alloc('l1', 'st-1', 1), alloc('l2', 'wh-1', 2, 'sku-b')];
      given([made(partial)])
        .when(cancel('l1', 'sku-a', 2))
        .then([
          {
            type: 'ReservationLinesCancelled',
            data: { ...ids, lines: [{ lineId: 'l1', quantity: 2 }], released: [] },
          },
        ]);
    });

    it('finds the line by SKU when orders sends no line id', () =>
      given([made(full)])
        .when(cancel(undefined, 'sku-b', 2))
        .then([
          {
            type: 'ReservationLinesCancelled',
            data: {
              ...ids,
              lines: [{ lineId: 'l2', quantity: 2 }],
              released: [alloc('l2', 'wh-1', 2, 'sku-b')],
            },
          },
        ]));

    it('ignores lines it does not know', () =>
      given([made(full)])
        .when(cancel('l9', 'sku-z', 1))
        .then([]));
  });

  describe('committing on shipment', () => {
    const ship = (
      fullyShipped: boolean,
      shipped = [{ lineId: 'l1', skuId: 'sku-a', quantity: 2 }],
    ) => ({
      type: 'CommitReservation' as const,
      data: { reservationId: 'res-1', shipmentId: 'shp-1', lines: shipped, fullyShipped },
    });
    const committed = (allocations: StockAllocation[]): ReservationEvent => ({
      type: 'ReservationCommitted',
      data: { ...ids, shipmentId: 'shp-1', allocations },
    });

    it('commits the shipped units of the shipped lines', () =>
      given([made(full), firm])
        .when(ship(false))
        .then([committed([alloc('l1', 'st-1', 2)])]));

    it('commits everything still held when the order is fully shipped', () =>
      given([made(full), firm, committed([alloc('l1', 'st-1', 2)])])
        .when(ship(true))
        .then([committed([alloc('l1', 'st-1', 1), alloc('l2', 'wh-1', 2, 'sku-b')])]));

    it('ends committed and does nothing more afterwards', () => {
      const events = [made(full), firm, committed(full)];
      expect(
        events.reduce(reservationDecider.evolve, reservationDecider.initialState()),
      ).toMatchObject({
        status: 'committed',
        held: [],
      });
      given(events)
        .when({
          type: 'ReleaseReservation',
          data: { reservationId: 'res-1', reason: 'order-cancelled' },
        })
        .then([]);
    });
  });
});
