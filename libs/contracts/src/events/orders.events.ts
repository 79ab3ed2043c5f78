import { z } from 'zod';
import {
  DeliveryRegion,
  HandlingClass,
  Id,
  Money,
  OrderLine,
  OrderTotals,
  PaymentMethod,
  SalesChannel,
  SkuQuantity,
  TrackingRef,
  UtcDateTime,
} from './common.schemas';
import { defineEvent, EventData } from './event-contract';

/** Wire names of the orders service's integration events (topic `orders.events`). */
export const OrdersEventTypes = {
  OrderPlaced: 'fulfil.orders.OrderPlaced',
  OrderStockReserved: 'fulfil.orders.OrderStockReserved',
  OrderPaid: 'fulfil.orders.OrderPaid',
  OrderConfirmed: 'fulfil.orders.OrderConfirmed',
  OrderLinesCancelled: 'fulfil.orders.OrderLinesCancelled',
  OrderCancelled: 'fulfil.orders.OrderCancelled',
  OrderFulfilmentRequested: 'fulfil.orders.OrderFulfilmentRequested',
  OrderShipped: 'fulfil.orders.OrderShipped',
  OrderDelivered: 'fulfil.orders.OrderDelivered',
  OrderCompleted: 'fulfil.orders.OrderCompleted',
} as const;

const common = { service: 'orders', aggregate: 'Order', subject: 'orderId' } as const;

const orderHead = {
  orderId: Id,
  orderNumber: z.string().min(1).max(32),
  customerId: Id,
  channel: SalesChannel,
  storeId: Id.optional(),
};

export const OrderPlacedV1 = defineEvent({
  ...common,
  type: OrdersEventTypes.OrderPlaced,
  version: 1,
  summary: 'An order was placed on a channel; stock reservation and payment follow.',
  requirements: ['R-ORD-1', 'R-ORD-2', 'R-INV-6'],
  schema: z.strictObject({
    ...orderHead,
    lines: z.array(OrderLine).min(1),
    totals: OrderTotals,
    paymentMethod: PaymentMethod,
    deliveryRegion: DeliveryRegion,
  }),
});
export type OrderPlacedV1Data = EventData<typeof OrderPlacedV1>;

export const OrderStockReservedV1 = defineEvent({
  ...common,
  type: OrdersEventTypes.OrderStockReserved,
  version: 1,
  summary: "The order's stock is reserved (possibly not every line, by policy).",
  requirements: ['R-ORD-2', 'R-ORD-3'],
  schema: z.strictObject({
    orderId: Id,
    reservationId: Id,
    reservationExpiresAt: UtcDateTime,
    unreservedLines: z.array(SkuQuantity),
  }),
});
export type OrderStockReservedV1Data = EventData<typeof OrderStockReservedV1>;

export const OrderPaidV1 = defineEvent({
  ...common,
  type: OrdersEventTypes.OrderPaid,
  version: 1,
  summary: 'The order is paid (captured); cash on delivery / in store skips this step.',
  requirements: ['R-ORD-2'],
  schema: z.strictObject({
    orderId: Id,
    paymentId: Id,
    paymentMethod: PaymentMethod,
    amount: Money,
  }),
});
export type OrderPaidV1Data = EventData<typeof OrderPaidV1>;

export const OrderConfirmedV1 = defineEvent({
  ...common,
  type: OrdersEventTypes.OrderConfirmed,
  version: 1,
  summary: 'The order is confirmed; carries everything the confirmation message needs.',
  requirements: ['R-ORD-2', 'R-ORD-4', 'R-NOT-1'],
  schema: z.strictObject({
    ...orderHead,
    lines: z.array(OrderLine).min(1),
    totals: OrderTotals,
    paymentMethod: PaymentMethod,
    paymentStatus: z.enum(['paid', 'due-on-delivery', 'due-in-store']),
    tracking: z.array(TrackingRef),
  }),
});
export type OrderConfirmedV1Data = EventData<typeof OrderConfirmedV1>;

export const OrderLinesCancelledV1 = defineEvent({
  ...common,
  type: OrdersEventTypes.OrderLinesCancelled,
  version: 1,
  summary: 'Some lines were dropped (partial fulfilment after a stock shortage).',
  requirements: ['R-ORD-3'],
  schema: z.strictObject({
    orderId: Id,
    customerId: Id,
    reason: z.enum(['stock-shortage', 'customer-request']),
    lines: z.array(SkuQuantity).min(1),
    refundDue: Money,
    newTotals: OrderTotals,
  }),
});
export type OrderLinesCancelledV1Data = EventData<typeof OrderLinesCancelledV1>;

export const OrderCancelledV1 = defineEvent({
  ...common,
  type: OrdersEventTypes.OrderCancelled,
  version: 1,
  summary: 'The order was cancelled before shipment, with the reason.',
  requirements: ['R-ORD-2', 'R-ORD-3'],
  schema: z.strictObject({
    orderId: Id,
    orderNumber: z.string().min(1).max(32),
    customerId: Id,
    reason: z.enum([
      'customer-request',
      'payment-failed',
      'payment-timed-out',
      'stock-shortage',
      'fraud-suspected',
      'operations',
    ]),
    initiatedBy: z.enum(['customer', 'system', 'operator']),
    reservationId: Id.optional(),
    refundDue: Money.optional(),
  }),
});
export type OrderCancelledV1Data = EventData<typeof OrderCancelledV1>;

export const OrderFulfilmentRequestedV1 = defineEvent({
  ...common,
  type: OrdersEventTypes.OrderFulfilmentRequested,
  version: 1,
  summary:
    'Logistics is asked to ship the order (or a replacement); the address is fetched by order id.',
  requirements: ['R-ORD-2', 'R-LOG-1', 'R-LOG-2', 'R-AS-5'],
  schema: z.strictObject({
    orderId: Id,
    fulfilmentId: Id,
    kind: z.enum(['order', 'replacement']),
    caseId: Id.optional(),
    lines: z
      .array(
        z.strictObject({
          lineId: Id,
          skuId: Id,
          quantity: z.number().int().positive(),
          handling: HandlingClass,
          locationId: Id,
        }),
      )
      .min(1),
    deliveryRegion: DeliveryRegion,
    services: z.strictObject({ installation: z.boolean(), onSiteInspection: z.boolean() }),
  }),
});
export type OrderFulfilmentRequestedV1Data = EventData<typeof OrderFulfilmentRequestedV1>;

export const OrderShippedV1 = defineEvent({
  ...common,
  type: OrdersEventTypes.OrderShipped,
  version: 1,
  summary: 'A parcel of the order left; `fullyShipped` once every line is on its way.',
  requirements: ['R-ORD-2', 'R-ORD-4'],
  schema: z.strictObject({
    orderId: Id,
    customerId: Id,
    shipment: TrackingRef,
    lines: z.array(SkuQuantity).min(1),
    fullyShipped: z.boolean(),
    tracking: z.array(TrackingRef).min(1),
  }),
});
export type OrderShippedV1Data = EventData<typeof OrderShippedV1>;

export const OrderDeliveredV1 = defineEvent({
  ...common,
  type: OrdersEventTypes.OrderDelivered,
  version: 1,
  summary: 'Every shipment of the order was delivered.',
  requirements: ['R-ORD-2', 'R-NOT-6'],
  schema: z.strictObject({
    orderId: Id,
    customerId: Id,
    shipmentIds: z.array(Id).min(1),
  }),
});
export type OrderDeliveredV1Data = EventData<typeof OrderDeliveredV1>;

export const OrderCompletedV1 = defineEvent({
  ...common,
  type: OrdersEventTypes.OrderCompleted,
  version: 1,
  summary: 'The order is closed (return window over); points accrue on it.',
  requirements: ['R-ORD-2', 'R-MEM-1'],
  schema: z.strictObject({
    orderId: Id,
    customerId: Id,
    channel: SalesChannel,
    storeId: Id.optional(),
    total: Money,
    refunded: Money,
  }),
});
export type OrderCompletedV1Data = EventData<typeof OrderCompletedV1>;

/** Every orders contract, in documentation order. */
export const ORDERS_EVENT_CONTRACTS = [
  OrderPlacedV1,
  OrderStockReservedV1,
  OrderPaidV1,
  OrderConfirmedV1,
  OrderLinesCancelledV1,
  OrderCancelledV1,
  OrderFulfilmentRequestedV1,
  OrderShippedV1,
  OrderDeliveredV1,
  OrderCompletedV1,
] as const;
