/** Value types of an order: readonly plain data, shared by commands, events and state. */

export const SALES_CHANNELS = ['web', 'app', 'mini-program', 'store-pos'] as const;
export type SalesChannel = (typeof SALES_CHANNELS)[number];

export const PAYMENT_METHODS = [
  'wechat-pay',
  'alipay',
  'bank-card',
  'cash-on-delivery',
  'cash-in-store',
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const HANDLING_CLASSES = [
  'ambient',
  'chilled',
  'frozen',
  'large-appliance',
  'fragile-electronics',
] as const;
export type HandlingClass = (typeof HANDLING_CLASSES)[number];

/** Integer minor units (fen, cents) and an ISO 4217 code: never a float. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

/** A line as the customer ordered it, before prices are totalled. */
export interface OrderLineInput {
  readonly lineId: string;
  readonly skuId: string;
  readonly title: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly handling: HandlingClass;
}

export interface OrderLine extends OrderLineInput {
  readonly lineTotal: Money;
}

export interface OrderTotals {
  readonly subtotal: Money;
  readonly shipping: Money;
  readonly discount: Money;
  readonly total: Money;
}

/** Coarse delivery region only: the street address never enters the event log. */
export interface DeliveryRegion {
  readonly countryCode: string;
  readonly regionCode: string;
  readonly cityCode?: string;
}

/** What an order is, fixed when it is placed: in `OrderPlaced` and in the order's state. */
export interface OrderHead {
  readonly orderId: string;
  readonly orderNumber: string;
  readonly customerId: string;
  readonly channel: SalesChannel;
  readonly storeId?: string;
  readonly lines: readonly OrderLine[];
  readonly totals: OrderTotals;
  readonly paymentMethod: PaymentMethod;
  readonly deliveryRegion: DeliveryRegion;
}

/** A quantity of one order line (what was short, what was dropped). */
export interface LineQuantity {
  readonly lineId: string;
  readonly skuId: string;
  readonly quantity: number;
}

export type PaymentStatus = 'paid' | 'due-on-delivery' | 'due-in-store';

export type CancellationReason =
  | 'customer-request'
  | 'payment-failed'
  | 'payment-timed-out'
  | 'stock-shortage'
  | 'fraud-suspected'
  | 'operations';

export type CancellationInitiator = 'customer' | 'system' | 'operator';

/** What to do when inventory could reserve only part of an order (ORDER_SHORTAGE_POLICY). */
export type ShortagePolicy = 'cancel' | 'confirm-available';

/** How the customer completes a payment intent (mirrors payments' customerAction). */
export type CustomerAction = 'none' | 'redirect' | 'qr-code' | 'pay-on-delivery' | 'pay-in-store';
