import { parseIntegrationEvent } from '@fulfil/contracts';
import {
  cancelled,
  confirmed,
  cny,
  CUSTOMER,
  ORDER_ID,
  paid,
  placed,
  RESERVATION,
  stockReserved,
  T1,
  T3,
  totals,
} from '../domain/order-decider.fixture';
import type { OrderEvent } from '../domain/order.events';
import { toIntegrationEvent } from './order-integration-events';

describe('domain → integration events', () => {
  const linesCancelled: OrderEvent = {
    type: 'OrderLinesCancelled',
    data: {
      orderId: ORDER_ID,
      customerId: CUSTOMER,
      lines: [{ lineId: 'L2', skuId: 'sku-milk', quantity: 1 }],
      refundDue: cny(0),
      newTotals: totals,
      reason: 'stock-shortage',
      at: T1,
    },
  };
  const cancellation = cancelled({
    reason: 'payment-failed',
    detail: 'declined',
    initiatedBy: 'system',
    reservationId: RESERVATION,
    at: T3,
  });

  it.each<[string, OrderEvent]>([
    ['OrderPlaced', placed({ storeId: 'store-sz-7' })],
    ['OrderStockReserved', stockReserved],
    ['OrderLinesCancelled', linesCancelled],
    ['OrderPaid', paid],
    ['OrderConfirmed', confirmed()],
    ['OrderCancelled', cancellation],
  ])('publishes %s v1 that satisfies its contract, without timeline fields', (name, event) => {
    const integration = toIntegrationEvent(event)!;
    expect(integration.type).toBe(`fulfil.orders.${name}`);
    expect(integration.version).toBe(1);
    expect(() => parseIntegrationEvent(integration.type, 1, integration.data)).not.toThrow();
    expect(integration.data).not.toHaveProperty('at');
    expect(integration.data).not.toHaveProperty('detail');
  });

  it('keeps the cancellation reason, initiator and reservation', () => {
    expect(toIntegrationEvent(cancellation)!.data).toEqual({
      orderId: ORDER_ID,
      orderNumber: 'ORD-20261123-7K3Q9P',
      customerId: CUSTOMER,
      reason: 'payment-failed',
      initiatedBy: 'system',
      reservationId: RESERVATION,
    });
  });

  it('does not publish OrderShipped until logistics brings carrier and tracking', () => {
    expect(
      toIntegrationEvent({
        type: 'OrderShipped',
        data: { orderId: ORDER_ID, shipmentId: 'shp-1', reason: 'parcel-dispatched', at: T3 },
      }),
    ).toBeUndefined();
  });
});
