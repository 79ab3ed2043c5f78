import type { OrderCommand, PlaceOrder } from './order.commands';
import type {
  OrderCancelled,
  OrderConfirmed,
  OrderPaid,
  OrderPlaced,
  OrderStockReserved,
} from './order.events';
import type { OrderLine, OrderTotals } from './order.model';

// Shared data of the decider tests: one order of two lines in CNY, and the events of its
// happy path, so each test states only what differs.

export const T0 = '2026-11-23T09:00:00.000Z';
export const T1 = '2026-11-23T09:01:00.000Z';
export const T2 = '2026-11-23T09:02:00.000Z';
export const T3 = '2026-11-23T09:03:00.000Z';
export const EXPIRES = '2026-11-23T09:20:00.000Z';

export const ORDER_ID = '6a1d3a8e-0b0c-4b5f-9d4e-2f7c1e0a9b11';
export const ORDER_NUMBER = 'ORD-20261123-7K3Q9P';
export const CUSTOMER = 'cus-42';
export const RESERVATION = 'res-1';
export const PAYMENT = 'pay-1';

export const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

export const placeOrder = (overrides: Partial<PlaceOrder['data']> = {}): PlaceOrder => ({
  type: 'PlaceOrder',
  data: {
    orderId: ORDER_ID,
    orderNumber: ORDER_NUMBER,
    customerId: CUSTOMER,
    channel: 'mini-program',
    lines: [
      {
        lineId: 'L1',
        skuId: 'sku-tea',
        title: 'Tea-tree oil',
        quantity: 2,
        unitPrice: cny(4900),
        handling: 'ambient',
      },
      {
        lineId: 'L2',
        skuId: 'sku-milk',
        title: 'Fresh milk',
        quantity: 3,
        unitPrice: cny(1200),
        handling: 'chilled',
      },
    ],
    shipping: cny(800),
    discount: cny(500),
    paymentMethod: 'wechat-pay',
    deliveryRegion: { countryCode: 'CN', regionCode: 'CN-GD', cityCode: 'SZ' },
    at: T0,
    ...overrides,
  },
});

export const pricedLines: OrderLine[] = [
  {
    lineId: 'L1',
    skuId: 'sku-tea',
    title: 'Tea-tree oil',
    quantity: 2,
    unitPrice: cny(4900),
    handling: 'ambient',
    lineTotal: cny(9800),
  },
  {
    lineId: 'L2',
    skuId: 'sku-milk',
    title: 'Fresh milk',
    quantity: 3,
    unitPrice: cny(1200),
    handling: 'chilled',
    lineTotal: cny(3600),
  },
];

export const totals: OrderTotals = {
  subtotal: cny(13400),
  shipping: cny(800),
  discount: cny(500),
  total: cny(13700),
};

export const placed = (overrides: Partial<OrderPlaced['data']> = {}): OrderPlaced => ({
  type: 'OrderPlaced',
  data: {
    orderId: ORDER_ID,
    orderNumber: ORDER_NUMBER,
    customerId: CUSTOMER,
    channel: 'mini-program',
    lines: pricedLines,
    totals,
    paymentMethod: 'wechat-pay',
    deliveryRegion: { countryCode: 'CN', regionCode: 'CN-GD', cityCode: 'SZ' },
    reason: 'customer-checkout',
    at: T0,
    ...overrides,
  },
});

export const stockReserved: OrderStockReserved = {
  type: 'OrderStockReserved',
  data: {
    orderId: ORDER_ID,
    reservationId: RESERVATION,
    reservationExpiresAt: EXPIRES,
    unreservedLines: [],
    reason: 'stock-reserved',
    at: T1,
  },
};

export const paid: OrderPaid = {
  type: 'OrderPaid',
  data: {
    orderId: ORDER_ID,
    paymentId: PAYMENT,
    paymentMethod: 'wechat-pay',
    amount: cny(13700),
    reason: 'payment-authorised',
    at: T2,
  },
};

export const confirmed = (overrides: Partial<OrderConfirmed['data']> = {}): OrderConfirmed => ({
  type: 'OrderConfirmed',
  data: {
    orderId: ORDER_ID,
    orderNumber: ORDER_NUMBER,
    customerId: CUSTOMER,
    channel: 'mini-program',
    lines: pricedLines,
    totals,
    paymentMethod: 'wechat-pay',
    paymentStatus: 'paid',
    tracking: [],
    reason: 'payment-received',
    at: T2,
    ...overrides,
  },
});

export const cancelled = (
  data: Omit<OrderCancelled['data'], 'orderId' | 'orderNumber' | 'customerId'>,
): OrderCancelled => ({
  type: 'OrderCancelled',
  data: { orderId: ORDER_ID, orderNumber: ORDER_NUMBER, customerId: CUSTOMER, ...data },
});

export const stockReservedCommand = (
  overrides: Partial<Extract<OrderCommand, { type: 'RecordStockReserved' }>['data']> = {},
): OrderCommand => ({
  type: 'RecordStockReserved',
  data: {
    reservationId: RESERVATION,
    expiresAt: EXPIRES,
    shortages: [],
    policy: 'cancel',
    at: T1,
    ...overrides,
  },
});

export const paymentReceived = (at = T2, amountMinor = 13700): OrderCommand => ({
  type: 'RecordPaymentReceived',
  data: {
    paymentId: PAYMENT,
    method: 'wechat-pay',
    amount: cny(amountMinor),
    stage: 'authorised',
    at,
  },
});

export const cancelByCustomer = (at = T3): OrderCommand => ({
  type: 'CancelOrder',
  data: { orderId: ORDER_ID, reason: 'customer-request', initiatedBy: 'customer', at },
});
