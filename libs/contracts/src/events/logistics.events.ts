import { z } from 'zod';
import {
  CarrierCode,
  DeliveryRegion,
  Id,
  NonNegativeSeconds,
  ShipmentStatus,
  SkuQuantity,
  TimeWindow,
  UtcDateTime,
} from './common.schemas';
import { defineEvent, EventData } from './event-contract';

/** Wire names of the logistics service's integration events (topic `logistics.events`). */
export const LogisticsEventTypes = {
  ShipmentCreated: 'fulfil.logistics.ShipmentCreated',
  ShipmentDispatched: 'fulfil.logistics.ShipmentDispatched',
  ShipmentStatusChanged: 'fulfil.logistics.ShipmentStatusChanged',
  EstimatedDeliveryChanged: 'fulfil.logistics.EstimatedDeliveryChanged',
  ShipmentDelayed: 'fulfil.logistics.ShipmentDelayed',
  ShipmentExceptionRaised: 'fulfil.logistics.ShipmentExceptionRaised',
  ShipmentDelivered: 'fulfil.logistics.ShipmentDelivered',
  ReturnPickupBooked: 'fulfil.logistics.ReturnPickupBooked',
  ReturnReceived: 'fulfil.logistics.ReturnReceived',
} as const;

const common = { service: 'logistics', aggregate: 'Shipment', subject: 'shipmentId' } as const;

const TrackingNumber = z.string().min(1).max(64);

/** The delivery plan chosen from the goods and the customer's need (R-LOG-2). */
const DeliveryPlan = z.strictObject({
  serviceLevel: z.enum(['standard', 'express', 'cold-chain-express', 'big-item-home-delivery']),
  installation: z.boolean(),
  onSiteInspection: z.boolean(),
});

/** Where a scan happened: a carrier facility and its city/region, never the customer. */
const ScanLocation = z.strictObject({
  facilityCode: z.string().max(64).optional(),
  cityCode: z.string().max(32).optional(),
  regionCode: z.string().max(8).optional(),
  countryCode: z.string().regex(/^[A-Z]{2}$/),
});

const parcel = {
  shipmentId: Id,
  orderId: Id,
  carrier: CarrierCode,
  trackingNumber: TrackingNumber,
};

export const ShipmentCreatedV1 = defineEvent({
  ...common,
  type: LogisticsEventTypes.ShipmentCreated,
  version: 1,
  summary: 'A shipment (one of possibly several per order) was planned with carrier and plan.',
  requirements: ['R-LOG-1', 'R-LOG-2'],
  schema: z.strictObject({
    shipmentId: Id,
    orderId: Id,
    fulfilmentId: Id,
    direction: z.enum(['outbound', 'replacement']),
    carrier: CarrierCode,
    trackingNumber: TrackingNumber.optional(),
    plan: DeliveryPlan,
    originLocationId: Id,
    destination: DeliveryRegion,
    lines: z.array(SkuQuantity).min(1),
    estimatedDelivery: TimeWindow.optional(),
  }),
});
export type ShipmentCreatedV1Data = EventData<typeof ShipmentCreatedV1>;

export const ShipmentDispatchedV1 = defineEvent({
  ...common,
  type: LogisticsEventTypes.ShipmentDispatched,
  version: 1,
  summary: 'The parcel left the warehouse/store with the carrier (shipment notice).',
  requirements: ['R-LOG-4', 'R-NOT-2'],
  schema: z.strictObject({
    ...parcel,
    originLocationId: Id,
    orderToDispatchSeconds: NonNegativeSeconds,
    estimatedDelivery: TimeWindow,
  }),
});
export type ShipmentDispatchedV1Data = EventData<typeof ShipmentDispatchedV1>;

export const ShipmentStatusChangedV1 = defineEvent({
  ...common,
  type: LogisticsEventTypes.ShipmentStatusChanged,
  version: 1,
  summary: 'A carrier scan moved the parcel to a normalized status.',
  requirements: ['R-LOG-3', 'R-NOT-3', 'R-NOT-4'],
  schema: z.strictObject({
    ...parcel,
    status: ShipmentStatus,
    previousStatus: ShipmentStatus.optional(),
    carrierEventId: z.string().min(1).max(128),
    carrierStatusCode: z.string().max(64).optional(),
    scannedAt: UtcDateTime,
    location: ScanLocation.optional(),
  }),
});
export type ShipmentStatusChangedV1Data = EventData<typeof ShipmentStatusChangedV1>;

export const EstimatedDeliveryChangedV1 = defineEvent({
  ...common,
  type: LogisticsEventTypes.EstimatedDeliveryChanged,
  version: 1,
  summary: 'The estimated delivery window moved as scans arrived.',
  requirements: ['R-LOG-5'],
  schema: z.strictObject({
    ...parcel,
    previous: TimeWindow.optional(),
    estimatedDelivery: TimeWindow,
  }),
});
export type EstimatedDeliveryChangedV1Data = EventData<typeof EstimatedDeliveryChangedV1>;

export const ShipmentDelayedV1 = defineEvent({
  ...common,
  type: LogisticsEventTypes.ShipmentDelayed,
  version: 1,
  summary: 'Trouble detected before the customer notices; customer service chases the carrier.',
  requirements: ['R-LOG-6', 'R-NOT-5', 'R-NOT-10'],
  schema: z.strictObject({
    ...parcel,
    reason: z.enum([
      'no-scan-for-too-long',
      'estimate-passed',
      'delivery-attempt-failed',
      'carrier-reported-delay',
    ]),
    lastScanAt: UtcDateTime.optional(),
    previousEstimate: TimeWindow.optional(),
    newEstimate: TimeWindow.optional(),
    followUpTaskId: Id,
  }),
});
export type ShipmentDelayedV1Data = EventData<typeof ShipmentDelayedV1>;

export const ShipmentExceptionRaisedV1 = defineEvent({
  ...common,
  type: LogisticsEventTypes.ShipmentExceptionRaised,
  version: 1,
  summary: 'The carrier reported an exception (damage, loss, refusal, …).',
  requirements: ['R-LOG-3', 'R-LOG-6', 'R-NOT-5'],
  schema: z.strictObject({
    ...parcel,
    kind: z.enum(['damaged', 'lost', 'refused', 'undeliverable', 'customs-hold', 'other']),
    carrierStatusCode: z.string().max(64).optional(),
    followUpTaskId: Id,
  }),
});
export type ShipmentExceptionRaisedV1Data = EventData<typeof ShipmentExceptionRaisedV1>;

export const ShipmentDeliveredV1 = defineEvent({
  ...common,
  type: LogisticsEventTypes.ShipmentDelivered,
  version: 1,
  summary: 'The parcel was handed over; transit time feeds lane metrics.',
  requirements: ['R-LOG-3', 'R-NOT-4', 'R-DATA-1'],
  schema: z.strictObject({
    ...parcel,
    handover: z.enum(['in-person', 'pickup-point', 'locker', 'store']),
    installationDone: z.boolean().optional(),
    inspectionPassed: z.boolean().optional(),
    transitSeconds: NonNegativeSeconds,
  }),
});
export type ShipmentDeliveredV1Data = EventData<typeof ShipmentDeliveredV1>;

export const ReturnPickupBookedV1 = defineEvent({
  ...common,
  type: LogisticsEventTypes.ReturnPickupBooked,
  version: 1,
  summary: 'A reverse pickup was booked for a return, exchange or repair.',
  requirements: ['R-LOG-7', 'R-AS-5', 'R-NOT-7'],
  schema: z.strictObject({
    ...parcel,
    caseId: Id,
    purpose: z.enum(['return', 'exchange', 'repair']),
    pickupWindow: TimeWindow,
    lines: z.array(SkuQuantity).min(1),
  }),
});
export type ReturnPickupBookedV1Data = EventData<typeof ReturnPickupBookedV1>;

export const ReturnReceivedV1 = defineEvent({
  ...common,
  type: LogisticsEventTypes.ReturnReceived,
  version: 1,
  summary: 'A returned parcel arrived at a warehouse or store for inspection.',
  requirements: ['R-LOG-7', 'R-INV-5'],
  schema: z.strictObject({
    ...parcel,
    caseId: Id,
    locationId: Id,
    lines: z.array(SkuQuantity).min(1),
  }),
});
export type ReturnReceivedV1Data = EventData<typeof ReturnReceivedV1>;

/** Every logistics contract, in documentation order. */
export const LOGISTICS_EVENT_CONTRACTS = [
  ShipmentCreatedV1,
  ShipmentDispatchedV1,
  ShipmentStatusChangedV1,
  EstimatedDeliveryChangedV1,
  ShipmentDelayedV1,
  ShipmentExceptionRaisedV1,
  ShipmentDeliveredV1,
  ReturnPickupBookedV1,
  ReturnReceivedV1,
] as const;
