import { z } from 'zod';

/**
 * Building blocks shared by the integration-event schemas. Every object is strict (unknown
 * properties are a contract violation), money is integer minor units with an ISO 4217 code,
 * times are ISO-8601 UTC (`Z`) strings and ids are opaque strings. No personal data: a customer
 * is a `customerId`, a delivery address at most a region/city code (docs/events.md).
 */

/** Opaque identifier (UUID, ULID or business key). */
export const Id = z.string().min(1).max(128);

/** An instant as ISO-8601 in UTC, e.g. `2026-11-23T09:00:00Z` (offsets other than `Z` are refused). */
export const UtcDateTime = z.iso.datetime();

/** ISO 4217 alphabetic currency code. */
export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code');

/** An amount of money in minor units (fen, cents): never a float. */
export const Money = z.strictObject({
  amountMinor: z.number().int().nonnegative(),
  currency: CurrencyCode,
});

export const PositiveQuantity = z.number().int().positive();
export const NonNegativeQuantity = z.number().int().nonnegative();
export const NonNegativeSeconds = z.number().int().nonnegative();

export const SalesChannel = z.enum(['web', 'app', 'mini-program', 'store-pos']);

export const PaymentMethod = z.enum([
  'wechat-pay',
  'alipay',
  'bank-card',
  'cash-on-delivery',
  'cash-in-store',
]);

export const LocationType = z.enum(['warehouse', 'store']);

/** A stock location: a warehouse or a physical store (R-INV-1). */
export const LocationRef = z.strictObject({ locationId: Id, locationType: LocationType });

/**
 * Coarse delivery region for demand-per-region (R-INV-6) and lanes (R-DATA-1): never the
 * street address. `regionCode` is ISO 3166-2 (e.g. `CN-GD`), `cityCode` a platform city code.
 */
export const DeliveryRegion = z.strictObject({
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code'),
  regionCode: z.string().regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, 'ISO 3166-2 subdivision code'),
  cityCode: z.string().min(1).max(32).optional(),
});

/** How goods must travel (R-LOG-2): drives the delivery plan. */
export const HandlingClass = z.enum([
  'ambient',
  'chilled',
  'frozen',
  'large-appliance',
  'fragile-electronics',
]);

/** One order line as other services need it. `title` is the product's display title. */
export const OrderLine = z.strictObject({
  lineId: Id,
  skuId: Id,
  title: z.string().min(1).max(200),
  quantity: PositiveQuantity,
  unitPrice: Money,
  lineTotal: Money,
  handling: HandlingClass,
});

/** A quantity of one SKU, optionally tied to an order line. */
export const SkuQuantity = z.strictObject({
  lineId: Id.optional(),
  skuId: Id,
  quantity: PositiveQuantity,
});

export const OrderTotals = z.strictObject({
  subtotal: Money,
  shipping: Money,
  discount: Money,
  total: Money,
});

/** The normalized carrier status model of R-LOG-3. */
export const ShipmentStatus = z.enum([
  'info-received',
  'in-transit',
  'out-for-delivery',
  'delivery-attempt-failed',
  'available-for-pickup',
  'delivered',
  'exception',
  'returned-to-sender',
]);

export const CarrierCode = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'carrier code');

/** A parcel known to the customer: enough for the confirmation and shipment notices. */
export const TrackingRef = z.strictObject({
  shipmentId: Id,
  carrier: CarrierCode,
  trackingNumber: z.string().min(1).max(64),
});

export const AfterSalesCaseType = z.enum([
  'return-and-refund',
  'refund-only',
  'exchange',
  'repair',
  'price-difference-refund',
  'usage-question',
]);

export const RefundKind = z.enum(['full', 'partial', 'price-difference']);

export const NotificationChannel = z.enum(['sms', 'email', 'app-push', 'wechat']);

export const Locale = z.enum(['zh-CN', 'en']);

/** A time window, e.g. an estimated delivery or a pickup slot. */
export const TimeWindow = z.strictObject({ from: UtcDateTime, to: UtcDateTime });
