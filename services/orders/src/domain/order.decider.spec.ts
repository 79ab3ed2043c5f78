import { deciderSpec, evolveAll } from '@fulfil/decider';
import { orderDecider } from './order.decider';
import {
  cancelByCustomer,
  cancelled,
  confirmed,
  cny,
  CUSTOMER,
  EXPIRES,
  ORDER_ID,
  paid,
  PAYMENT,
  paymentReceived,
  placed,
  placeOrder,
  pricedLines,
  RESERVATION,
  stockReserved,
  stockReservedCommand,
  T0,
  T1,
  T2,
  T3,
  totals,
} from './order-decider.fixture';
import { ORDER_TRANSITIONS } from './order.state';
import { intentConfirmsOrder } from './payment.decisions';

const given = deciderSpec(orderDecider);

describe('Order decider: placing an order', () => {
  it('prices the lines and totals the order on the server', () =>
    given([]).when(placeOrder()).then([placed()]));

  it('keeps the preferred store and defaults shipping and discount to zero', () =>
    given([])
      .when(placeOrder({ storeId: 'store-sz-7', shipping: undefined, discount: undefined }))
      .then([
        placed({
          storeId: 'store-sz-7',
          totals: {
            subtotal: cny(13400),
            shipping: cny(0),
            discount: cny(0),
            total: cny(13400),
          },
        }),
      ]));

  it('refuses an order without lines', () =>
    given([])
      .when(placeOrder({ lines: [] }))
      .thenThrows('ORDER.NO_LINES'));

  it('refuses lines in different currencies, naming the field', () => {
    const lines = placeOrder().data.lines.map((line, i) =>
      i === 1 ? { ...line, unitPrice: { amountMinor: 100, currency: 'USD' } } : line,
    );
    const when = given([]).when(placeOrder({ lines }));
    when.thenThrows('ORDER.CURRENCY_MISMATCH');
    expect(() => orderDecider.decide(placeOrder({ lines }), orderDecider.initialState())).toThrow(
      expect.objectContaining({ details: { field: 'lines[1].unitPrice.currency' } }),
    );
  });

  it('refuses shipping or discount in another currency', () => {
    given([])
      .when(placeOrder({ shipping: { amountMinor: 1, currency: 'USD' } }))
      .thenThrows('ORDER.CURRENCY_MISMATCH');
    given([])
      .when(placeOrder({ discount: { amountMinor: 1, currency: 'EUR' } }))
      .thenThrows('ORDER.CURRENCY_MISMATCH');
  });

  it('refuses zero, negative and fractional quantities and negative prices', () => {
    const withLine = (change: object) =>
      placeOrder({ lines: [{ ...placeOrder().data.lines[0]!, ...change }] });
    given([])
      .when(withLine({ quantity: 0 }))
      .thenThrows('ORDER.INVALID_LINE');
    given([])
      .when(withLine({ quantity: -1 }))
      .thenThrows('ORDER.INVALID_LINE');
    given([])
      .when(withLine({ quantity: 1.5 }))
      .thenThrows('ORDER.INVALID_LINE');
    given([])
      .when(withLine({ unitPrice: cny(-1) }))
      .thenThrows('ORDER.INVALID_AMOUNT');
    given([])
      .when(placeOrder({ shipping: cny(-5) }))
      .thenThrows('ORDER.INVALID_AMOUNT');
  });

  it('refuses a discount larger than subtotal plus shipping', () =>
    given([])
      .when(placeOrder({ discount: cny(14201) }))
      .thenThrows('ORDER.DISCOUNT_EXCEEDS_TOTAL'));

  it('refuses amounts beyond safe integers', () =>
    given([])
      .when(
        placeOrder({
          lines: [{ ...placeOrder().data.lines[0]!, quantity: 3, unitPrice: cny(2 ** 52) }],
        }),
      )
      .thenThrows('ORDER.AMOUNT_TOO_LARGE'));

  it('needs a store for cash in store', () => {
    given([])
      .when(placeOrder({ paymentMethod: 'cash-in-store' }))
      .thenThrows('ORDER.STORE_REQUIRED');
    given([])
      .when(placeOrder({ paymentMethod: 'cash-in-store', storeId: 'store-sz-7' }))
      .then([placed({ paymentMethod: 'cash-in-store', storeId: 'store-sz-7' })]);
  });

  it('refuses to place the same order twice', () =>
    given([placed()]).when(placeOrder()).thenThrows('ORDER.ALREADY_PLACED'));
});

describe('Order decider: stock reservation', () => {
  it('records a complete reservation', () =>
    given([placed()]).when(stockReservedCommand()).then([stockReserved]));

  it('cancels on a shortage under the cancel policy, with the reservation to release', () =>
    given([placed()])
      .when(stockReservedCommand({ shortages: [{ lineId: 'L2', skuId: 'sku-milk', quantity: 1 }] }))
      .then([
        cancelled({
          reason: 'stock-shortage',
          detail: 'partial-stock',
          initiatedBy: 'system',
          reservationId: RESERVATION,
          at: T1,
        }),
      ]));

  it('drops the short quantities and re-totals under confirm-available', () =>
    given([placed()])
      .when(
        stockReservedCommand({
          policy: 'confirm-available',
          shortages: [{ skuId: 'sku-milk', quantity: 1 }],
        }),
      )
      .then([
        {
          type: 'OrderLinesCancelled',
          data: {
            orderId: ORDER_ID,
            customerId: CUSTOMER,
            lines: [{ lineId: 'L2', skuId: 'sku-milk', quantity: 1 }],
            refundDue: cny(0),
            newTotals: {
              subtotal: cny(12200),
              shipping: cny(800),
              discount: cny(500),
              total: cny(12500),
            },
            reason: 'stock-shortage',
            at: T1,
          },
        },
        {
          type: 'OrderStockReserved',
          data: {
            orderId: ORDER_ID,
            reservationId: RESERVATION,
            reservationExpiresAt: EXPIRES,
            unreservedLines: [{ lineId: 'L2', skuId: 'sku-milk', quantity: 1 }],
            reason: 'stock-partially-reserved',
            at: T1,
          },
        },
      ]));

  it('confirms the reduced order with the remaining lines and totals', () => {
    const history = [placed()];
    const reservation = stockReservedCommand({
      policy: 'confirm-available',
      shortages: [{ lineId: 'L1', skuId: 'sku-tea', quantity: 2 }],
    });
    const afterReservation = orderDecider.decide(reservation, evolveAll(orderDecider, history));
    given([...history, ...afterReservation])
      .when(paymentReceived(T2, 3900))
      .then([
        { ...paid, data: { ...paid.data, amount: cny(3900) } },
        confirmed({
          lines: [pricedLines[1]!],
          totals: { subtotal: cny(3600), shipping: cny(800), discount: cny(500), total: cny(3900) },
        }),
      ]);
  });

  it('cancels when confirm-available would leave nothing', () =>
    given([placed()])
      .when(
        stockReservedCommand({
          policy: 'confirm-available',
          shortages: [
            { lineId: 'L1', skuId: 'sku-tea', quantity: 2 },
            { lineId: 'L2', skuId: 'sku-milk', quantity: 5 },
          ],
        }),
      )
      .then([
        cancelled({
          reason: 'stock-shortage',
          detail: 'partial-stock',
          initiatedBy: 'system',
          reservationId: RESERVATION,
          at: T1,
        }),
      ]));

  it('cancels when the reservation failed, naming the cause (e.g. an unknown SKU)', () =>
    given([placed()])
      .when({
        type: 'RecordStockReservationFailed',
        data: { reservationId: RESERVATION, reason: 'sku-unknown', at: T1 },
      })
      .then([
        cancelled({
          reason: 'stock-shortage',
          detail: 'sku-unknown',
          initiatedBy: 'system',
          at: T1,
        }),
      ]));

  it('absorbs a duplicate reservation and one for a cancelled order', () => {
    given([placed(), stockReserved]).when(stockReservedCommand()).then([]);
    given([placed(), cancelled({ reason: 'customer-request', initiatedBy: 'customer', at: T1 })])
      .when(stockReservedCommand())
      .then([]);
    given([placed(), stockReserved])
      .when({
        type: 'RecordStockReservationFailed',
        data: { reservationId: 'res-2', reason: 'insufficient-stock', at: T2 },
      })
      .then([]);
  });

  it('cancels an unconfirmed order whose reservation expired, and only for its reservation', () => {
    const expired = (reservationId: string) =>
      ({ type: 'RecordReservationExpired', data: { reservationId, at: T3 } }) as const;
    given([placed(), stockReserved])
      .when(expired(RESERVATION))
      .then([
        cancelled({
          reason: 'payment-timed-out',
          detail: 'reservation-expired',
          initiatedBy: 'system',
          reservationId: RESERVATION,
          at: T3,
        }),
      ]);
    given([placed(), stockReserved]).when(expired('res-other')).then([]);
    given([placed(), stockReserved, paid, confirmed()]).when(expired(RESERVATION)).then([]);
  });
});

describe('Order decider: payment', () => {
  const reserved = [placed(), stockReserved];

  it('pays and confirms on the first authorisation, with everything R-ORD-4 needs', () =>
    given(reserved).when(paymentReceived()).then([paid, confirmed()]));

  it('records a capture as the payment when it comes first', () =>
    given(reserved)
      .when({
        type: 'RecordPaymentReceived',
        data: {
          paymentId: 'pay-1',
          method: 'wechat-pay',
          amount: cny(13700),
          stage: 'captured',
          at: T2,
        },
      })
      .then([{ ...paid, data: { ...paid.data, reason: 'payment-captured' } }, confirmed()]));

  it('absorbs the capture after the authorisation', () =>
    given([...reserved, paid, confirmed()])
      .when(paymentReceived(T3))
      .then([]));

  it('refuses a payment before the stock is reserved (retried until it is)', () =>
    given([placed()]).when(paymentReceived()).thenThrows('ORDER.STOCK_NOT_RESERVED'));

  it('confirms cash on delivery and cash in store without a payment', () => {
    const intent = (customerAction: 'pay-on-delivery' | 'pay-in-store' | 'qr-code') =>
      ({
        type: 'RecordPaymentIntent',
        data: { paymentId: PAYMENT, customerAction, at: T2 },
      }) as const;
    given([placed({ paymentMethod: 'cash-on-delivery' }), stockReserved])
      .when(intent('pay-on-delivery'))
      .then([
        confirmed({
          paymentMethod: 'cash-on-delivery',
          paymentStatus: 'due-on-delivery',
          reason: 'cash-on-delivery',
        }),
      ]);
    given([placed({ paymentMethod: 'cash-in-store', storeId: 'store-1' }), stockReserved])
      .when(intent('pay-in-store'))
      .then([
        confirmed({
          paymentMethod: 'cash-in-store',
          storeId: 'store-1',
          paymentStatus: 'due-in-store',
          reason: 'cash-in-store',
        }),
      ]);
    given(reserved).when(intent('qr-code')).then([]);
  });

  it('absorbs an intent the customer still has to pay in every state (no need to load)', () => {
    const histories = [
      [],
      [placed()],
      reserved,
      [...reserved, paid, confirmed()],
      [placed(), cancelled({ reason: 'customer-request', initiatedBy: 'customer', at: T1 })],
    ];
    for (const customerAction of ['none', 'redirect', 'qr-code'] as const) {
      expect(intentConfirmsOrder(customerAction)).toBe(false);
      for (const history of histories) {
        given(history)
          .when({
            type: 'RecordPaymentIntent',
            data: { paymentId: PAYMENT, customerAction, at: T2 },
          })
          .then([]);
      }
    }
    expect(intentConfirmsOrder('pay-on-delivery')).toBe(true);
    expect(intentConfirmsOrder('pay-in-store')).toBe(true);
  });

  it('cancels on a failed payment with the reservation to release', () =>
    given(reserved)
      .when({
        type: 'RecordPaymentFailed',
        data: { paymentId: PAYMENT, reason: 'insufficient-funds', at: T2 },
      })
      .then([
        cancelled({
          reason: 'payment-failed',
          detail: 'insufficient-funds',
          initiatedBy: 'system',
          reservationId: RESERVATION,
          at: T2,
        }),
      ]));

  it('cancels on a payment timeout with the reservation to release', () =>
    given(reserved)
      .when({ type: 'RecordPaymentTimedOut', data: { paymentId: PAYMENT, at: T2 } })
      .then([
        cancelled({
          reason: 'payment-timed-out',
          detail: 'payment-intent-expired',
          initiatedBy: 'system',
          reservationId: RESERVATION,
          at: T2,
        }),
      ]));

  it('absorbs late results for a cancelled or confirmed order', () => {
    const cancelledOrder = [
      ...reserved,
      cancelled({ reason: 'customer-request', initiatedBy: 'customer', at: T2 }),
    ];
    given(cancelledOrder).when(paymentReceived(T3)).then([]);
    given(cancelledOrder)
      .when({
        type: 'RecordPaymentFailed',
        data: { paymentId: PAYMENT, reason: 'declined', at: T3 },
      })
      .then([]);
    const confirmedOrder = [...reserved, paid, confirmed()];
    given(confirmedOrder)
      .when({ type: 'RecordPaymentTimedOut', data: { paymentId: PAYMENT, at: T3 } })
      .then([]);
    given(confirmedOrder)
      .when({
        type: 'RecordPaymentFailed',
        data: { paymentId: PAYMENT, reason: 'declined', at: T3 },
      })
      .then([]);
  });

  it('absorbs results for an order it never placed', () =>
    given([]).when(paymentReceived()).then([]));
});

describe('Order decider: safety deadline', () => {
  const expire = { type: 'ExpireUnconfirmedOrder', data: { at: T3 } } as const;

  it('cancels an order still unconfirmed', () => {
    given([placed()])
      .when(expire)
      .then([
        cancelled({
          reason: 'payment-timed-out',
          detail: 'confirmation-deadline',
          initiatedBy: 'system',
          at: T3,
        }),
      ]);
    given([placed(), stockReserved])
      .when(expire)
      .then([
        cancelled({
          reason: 'payment-timed-out',
          detail: 'confirmation-deadline',
          initiatedBy: 'system',
          reservationId: RESERVATION,
          at: T3,
        }),
      ]);
  });

  it('leaves confirmed and cancelled orders alone', () => {
    given([placed(), stockReserved, paid, confirmed()]).when(expire).then([]);
    given([placed(), cancelled({ reason: 'customer-request', initiatedBy: 'customer', at: T1 })])
      .when(expire)
      .then([]);
  });
});

describe('Order decider: cancellation and shipment', () => {
  const confirmedOrder = [placed(), stockReserved, paid, confirmed()];
  const shipped = {
    type: 'OrderShipped',
    data: { orderId: ORDER_ID, shipmentId: 'shp-1', reason: 'parcel-dispatched', at: T3 },
  } as const;
  const ship = (shipmentId = 'shp-1') =>
    ({ type: 'MarkShipped', data: { orderId: ORDER_ID, shipmentId, at: T3 } }) as const;

  it('cancels a placed order at the customer’s request', () =>
    given([placed()])
      .when(cancelByCustomer())
      .then([cancelled({ reason: 'customer-request', initiatedBy: 'customer', at: T3 })]));

  it('cancels a confirmed, paid order with the reservation to release and the refund due', () =>
    given(confirmedOrder)
      .when(cancelByCustomer())
      .then([
        cancelled({
          reason: 'customer-request',
          initiatedBy: 'customer',
          reservationId: RESERVATION,
          refundDue: cny(13700),
          at: T3,
        }),
      ]));

  it('refuses to cancel twice', () =>
    given([placed(), cancelled({ reason: 'customer-request', initiatedBy: 'customer', at: T1 })])
      .when(cancelByCustomer())
      .thenThrows('ORDER.ALREADY_CANCELLED'));

  it('refuses to cancel an unknown order', () =>
    given([]).when(cancelByCustomer()).thenThrows('ORDER.NOT_FOUND'));

  it('ships a confirmed order, once per shipment', () => {
    given(confirmedOrder).when(ship()).then([shipped]);
    given([...confirmedOrder, shipped])
      .when(ship())
      .then([]);
    given([...confirmedOrder, shipped])
      .when(ship('shp-2'))
      .then([{ ...shipped, data: { ...shipped.data, shipmentId: 'shp-2' } }]);
  });

  it('refuses to ship an unconfirmed or cancelled order', () => {
    given([placed(), stockReserved]).when(ship()).thenThrows('ORDER.NOT_CONFIRMED');
    given([placed(), cancelled({ reason: 'customer-request', initiatedBy: 'customer', at: T1 })])
      .when(ship())
      .thenThrows('ORDER.ALREADY_CANCELLED');
  });

  it('refuses to cancel after shipment', () =>
    given([...confirmedOrder, shipped])
      .when(cancelByCustomer())
      .thenThrows('ORDER.ALREADY_SHIPPED'));
});

describe('Order lifecycle', () => {
  it('gives every transition a reason and a time', () => {
    const history = [
      placed(),
      stockReserved,
      ...orderDecider.decide(paymentReceived(), evolveAll(orderDecider, [placed(), stockReserved])),
    ];
    expect(history.map((e) => [e.type, e.data.reason, e.data.at])).toEqual([
      ['OrderPlaced', 'customer-checkout', T0],
      ['OrderStockReserved', 'stock-reserved', T1],
      ['OrderPaid', 'payment-authorised', T2],
      ['OrderConfirmed', 'payment-received', T2],
    ]);
    expect(evolveAll(orderDecider, history)).toMatchObject({
      status: 'confirmed',
      paymentStatus: 'paid',
      reservationId: RESERVATION,
      totals,
    });
  });

  it('has no way out of cancelled or completed', () => {
    expect(ORDER_TRANSITIONS.cancelled).toEqual([]);
    expect(ORDER_TRANSITIONS.completed).toEqual([]);
    expect(ORDER_TRANSITIONS.shipped).not.toContain('cancelled');
  });
});
