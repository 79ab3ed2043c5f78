import { z } from 'zod';
import {
  AfterSalesCaseType,
  Id,
  Money,
  NonNegativeSeconds,
  RefundKind,
  SkuQuantity,
  TimeWindow,
  UtcDateTime,
} from './common.schemas';
import { defineEvent, EventData } from './event-contract';

/** Wire names of the after-sales service's integration events (topic `aftersales.events`). */
export const AfterSalesEventTypes = {
  CaseOpened: 'fulfil.aftersales.CaseOpened',
  CaseFirstResponded: 'fulfil.aftersales.CaseFirstResponded',
  CaseDeadlineBreached: 'fulfil.aftersales.CaseDeadlineBreached',
  CaseResolved: 'fulfil.aftersales.CaseResolved',
  ReturnPickupRequested: 'fulfil.aftersales.ReturnPickupRequested',
  RefundRequested: 'fulfil.aftersales.RefundRequested',
  ReplacementRequested: 'fulfil.aftersales.ReplacementRequested',
  RestockRequested: 'fulfil.aftersales.RestockRequested',
} as const;

const common = { service: 'after-sales', aggregate: 'Case', subject: 'caseId' } as const;

const caseRef = { caseId: Id, orderId: Id, customerId: Id };

export const CaseOpenedV1 = defineEvent({
  ...common,
  type: AfterSalesEventTypes.CaseOpened,
  version: 1,
  summary: 'An after-sales case was opened, online or in a store, with its deadlines.',
  requirements: ['R-AS-1', 'R-AS-2', 'R-AS-3', 'R-AS-4', 'R-NOT-7'],
  schema: z.strictObject({
    ...caseRef,
    caseNumber: z.string().min(1).max(32),
    caseType: AfterSalesCaseType,
    origin: z.enum(['customer', 'store', 'customer-service', 'negative-feedback']),
    handledAt: z.enum(['online', 'store']),
    storeId: Id.optional(),
    feedbackId: Id.optional(),
    lines: z.array(SkuQuantity),
    priority: z.enum(['normal', 'high']),
    firstResponseDueAt: UtcDateTime,
    resolutionDueAt: UtcDateTime,
  }),
});
export type CaseOpenedV1Data = EventData<typeof CaseOpenedV1>;

export const CaseFirstRespondedV1 = defineEvent({
  ...common,
  type: AfterSalesEventTypes.CaseFirstResponded,
  version: 1,
  summary: 'An agent first responded to the case.',
  requirements: ['R-AS-2', 'R-DATA-1'],
  schema: z.strictObject({
    ...caseRef,
    responseSeconds: NonNegativeSeconds,
    withinDeadline: z.boolean(),
  }),
});
export type CaseFirstRespondedV1Data = EventData<typeof CaseFirstRespondedV1>;

export const CaseDeadlineBreachedV1 = defineEvent({
  ...common,
  type: AfterSalesEventTypes.CaseDeadlineBreached,
  version: 1,
  summary: 'A first-response or resolution deadline passed; customer service is alerted.',
  requirements: ['R-AS-2', 'R-NOT-10'],
  schema: z.strictObject({
    ...caseRef,
    deadline: z.enum(['first-response', 'resolution']),
    dueAt: UtcDateTime,
  }),
});
export type CaseDeadlineBreachedV1Data = EventData<typeof CaseDeadlineBreachedV1>;

export const CaseResolvedV1 = defineEvent({
  ...common,
  type: AfterSalesEventTypes.CaseResolved,
  version: 1,
  summary: 'The case was closed with an outcome.',
  requirements: ['R-AS-1', 'R-AS-2', 'R-NOT-7'],
  schema: z.strictObject({
    ...caseRef,
    outcome: z.enum([
      'refunded',
      'replaced',
      'repaired',
      'price-difference-refunded',
      'answered',
      'customer-recovered',
      'rejected',
      'withdrawn',
    ]),
    resolutionSeconds: NonNegativeSeconds,
    withinDeadline: z.boolean(),
  }),
});
export type CaseResolvedV1Data = EventData<typeof CaseResolvedV1>;

export const ReturnPickupRequestedV1 = defineEvent({
  ...common,
  type: AfterSalesEventTypes.ReturnPickupRequested,
  version: 1,
  summary: 'Logistics is asked to collect goods for a return, exchange or repair.',
  requirements: ['R-AS-5', 'R-LOG-7'],
  schema: z.strictObject({
    ...caseRef,
    pickupRequestId: Id,
    purpose: z.enum(['return', 'exchange', 'repair']),
    lines: z.array(SkuQuantity).min(1),
    returnToLocationId: Id,
    preferredWindow: TimeWindow.optional(),
  }),
});
export type ReturnPickupRequestedV1Data = EventData<typeof ReturnPickupRequestedV1>;

export const RefundRequestedV1 = defineEvent({
  ...common,
  type: AfterSalesEventTypes.RefundRequested,
  version: 1,
  summary: 'Payments is asked to refund (full, partial or price difference).',
  requirements: ['R-AS-5', 'R-PAY-3'],
  schema: z.strictObject({
    ...caseRef,
    refundId: Id,
    paymentId: Id,
    kind: RefundKind,
    amount: Money,
  }),
});
export type RefundRequestedV1Data = EventData<typeof RefundRequestedV1>;

export const ReplacementRequestedV1 = defineEvent({
  ...common,
  type: AfterSalesEventTypes.ReplacementRequested,
  version: 1,
  summary: 'A replacement (exchange) or the repaired item is to be shipped to the customer.',
  requirements: ['R-AS-5'],
  schema: z.strictObject({
    ...caseRef,
    replacementId: Id,
    reason: z.enum(['exchange', 'repair-return', 'lost-in-transit', 'damaged-in-transit']),
    lines: z.array(SkuQuantity).min(1),
  }),
});
export type ReplacementRequestedV1Data = EventData<typeof ReplacementRequestedV1>;

export const RestockRequestedV1 = defineEvent({
  ...common,
  type: AfterSalesEventTypes.RestockRequested,
  version: 1,
  summary: 'Returned goods passed inspection; inventory is asked to make them sellable.',
  requirements: ['R-AS-5', 'R-INV-5'],
  schema: z.strictObject({
    ...caseRef,
    locationId: Id,
    lines: z.array(SkuQuantity).min(1),
  }),
});
export type RestockRequestedV1Data = EventData<typeof RestockRequestedV1>;

/** Every after-sales contract, in documentation order. */
export const AFTER_SALES_EVENT_CONTRACTS = [
  CaseOpenedV1,
  CaseFirstRespondedV1,
  CaseDeadlineBreachedV1,
  CaseResolvedV1,
  ReturnPickupRequestedV1,
  RefundRequestedV1,
  ReplacementRequestedV1,
  RestockRequestedV1,
] as const;
