// Integration events of other services, as the inventory's tests publish them.
import type { IntegrationEvent } from '@fulfil/contracts';

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

export interface TestLine {
  readonly lineId: string;
  readonly skuId: string;
  readonly quantity: number;
}

export function orderPlaced(
  orderId: string,
  lines: TestLine[],
  storeId?: string,
): IntegrationEvent {
  return {
    type: 'fulfil.orders.OrderPlaced',
    version: 1,
    data: {
      orderId,
      orderNumber: `F-${orderId}`.slice(0, 32),
      customerId: 'cus-1',
      channel: 'app',
      ...(storeId ? { storeId } : {}),
      lines: lines.map((line) => ({
        ...line,
        title: `Product ${line.skuId}`,
        unitPrice: cny(1000),
        lineTotal: cny(1000 * line.quantity),
        handling: 'ambient',
      })),
      totals: { subtotal: cny(1000), shipping: cny(0), discount: cny(0), total: cny(1000) },
      paymentMethod: 'alipay',
      deliveryRegion: { countryCode: 'CN', regionCode: 'CN-GD' },
    },
  } as IntegrationEvent;
}

/** The order's confirmation (paid), with the lines it was placed with. */
export function orderConfirmed(orderId: string, lines: TestLine[]): IntegrationEvent {
  const placed = orderPlaced(orderId, lines).data as Record<string, unknown>;
  return {
    type: 'fulfil.orders.OrderConfirmed',
    version: 1,
    data: {
      ...Object.fromEntries(Object.entries(placed).filter(([key]) => key !== 'deliveryRegion')),
      paymentStatus: 'paid',
      tracking: [],
    },
  } as unknown as IntegrationEvent;
}

export function orderCancelled(
  orderId: string,
  reason: 'customer-request' | 'payment-failed' = 'customer-request',
): IntegrationEvent {
  return {
    type: 'fulfil.orders.OrderCancelled',
    version: 1,
    data: {
      orderId,
      orderNumber: `F-${orderId}`.slice(0, 32),
      customerId: 'cus-1',
      reason,
      initiatedBy: 'customer',
    },
  } as IntegrationEvent;
}

export function orderShipped(
  orderId: string,
  lines: TestLine[],
  fullyShipped: boolean,
): IntegrationEvent {
  const shipment = { shipmentId: `shp-${orderId}`, carrier: 'sf-express', trackingNumber: 'SF1' };
  return {
    type: 'fulfil.orders.OrderShipped',
    version: 1,
    data: { orderId, customerId: 'cus-1', shipment, lines, fullyShipped, tracking: [shipment] },
  } as IntegrationEvent;
}

export function restockRequested(
  caseId: string,
  locationId: string,
  lines: { skuId: string; quantity: number }[],
): IntegrationEvent {
  return {
    type: 'fulfil.aftersales.RestockRequested',
    version: 1,
    data: { caseId, orderId: 'ord-returned', customerId: 'cus-1', locationId, lines },
  } as IntegrationEvent;
}
