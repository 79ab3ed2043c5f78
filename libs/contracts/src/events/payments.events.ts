import { z } from 'zod';
import { CarrierCode, Id, Money, PaymentMethod, RefundKind, UtcDateTime } from './common.schemas';
import { defineEvent, EventData } from './event-contract';

/** Wire names of the payments service's integration events (topic `payments.events`). */
export const PaymentsEventTypes = {
  PaymentIntentCreated: 'fulfil.payments.PaymentIntentCreated',
  PaymentAuthorised: 'fulfil.payments.PaymentAuthorised',
  PaymentCaptured: 'fulfil.payments.PaymentCaptured',
  PaymentFailed: 'fulfil.payments.PaymentFailed',
  PaymentTimedOut: 'fulfil.payments.PaymentTimedOut',
  RefundIssued: 'fulfil.payments.RefundIssued',
  RefundFailed: 'fulfil.payments.RefundFailed',
  CashOnDeliverySettled: 'fulfil.payments.CashOnDeliverySettled',
} as const;

const common = { service: 'payments', aggregate: 'Payment', subject: 'paymentId' } as const;

const payment = { paymentId: Id, orderId: Id, method: PaymentMethod, amount: Money };

export const PaymentIntentCreatedV1 = defineEvent({
  ...common,
  type: PaymentsEventTypes.PaymentIntentCreated,
  version: 1,
  summary: 'A payment was started; redirect/QR methods complete asynchronously.',
  requirements: ['R-PAY-1', 'R-PAY-4'],
  schema: z.strictObject({
    ...payment,
    customerAction: z.enum(['none', 'redirect', 'qr-code', 'pay-on-delivery', 'pay-in-store']),
    expiresAt: UtcDateTime,
  }),
});
export type PaymentIntentCreatedV1Data = EventData<typeof PaymentIntentCreatedV1>;

export const PaymentAuthorisedV1 = defineEvent({
  ...common,
  type: PaymentsEventTypes.PaymentAuthorised,
  version: 1,
  summary: 'The provider authorised the amount (verified notification).',
  requirements: ['R-PAY-2', 'R-PAY-4'],
  schema: z.strictObject({ ...payment, providerReference: z.string().min(1).max(128) }),
});
export type PaymentAuthorisedV1Data = EventData<typeof PaymentAuthorisedV1>;

export const PaymentCapturedV1 = defineEvent({
  ...common,
  type: PaymentsEventTypes.PaymentCaptured,
  version: 1,
  summary: 'Money was taken; `capturedTotal` bounds every later refund.',
  requirements: ['R-PAY-3', 'R-PAY-4'],
  schema: z.strictObject({
    ...payment,
    providerReference: z.string().min(1).max(128),
    capturedTotal: Money,
  }),
});
export type PaymentCapturedV1Data = EventData<typeof PaymentCapturedV1>;

export const PaymentFailedV1 = defineEvent({
  ...common,
  type: PaymentsEventTypes.PaymentFailed,
  version: 1,
  summary: 'The payment failed; orders releases the stock and tells the customer.',
  requirements: ['R-PAY-4', 'R-ORD-3'],
  schema: z.strictObject({
    ...payment,
    reason: z.enum([
      'declined',
      'insufficient-funds',
      'cancelled-by-customer',
      'provider-error',
      'fraud-suspected',
    ]),
    providerCode: z.string().max(64).optional(),
  }),
});
export type PaymentFailedV1Data = EventData<typeof PaymentFailedV1>;

export const PaymentTimedOutV1 = defineEvent({
  ...common,
  type: PaymentsEventTypes.PaymentTimedOut,
  version: 1,
  summary: 'No result arrived before the intent expired.',
  requirements: ['R-PAY-4', 'R-ORD-3'],
  schema: z.strictObject({ ...payment, expiredAt: UtcDateTime }),
});
export type PaymentTimedOutV1Data = EventData<typeof PaymentTimedOutV1>;

export const RefundIssuedV1 = defineEvent({
  ...common,
  type: PaymentsEventTypes.RefundIssued,
  version: 1,
  summary: 'A full, partial or price-difference refund was paid out.',
  requirements: ['R-PAY-3', 'R-AS-5', 'R-NOT-7'],
  schema: z
    .strictObject({
      paymentId: Id,
      refundId: Id,
      orderId: Id,
      caseId: Id.optional(),
      kind: RefundKind,
      amount: Money,
      refundedTotal: Money,
      capturedTotal: Money,
    })
    .superRefine((data, ctx) => {
      const currencies = new Set(
        [data.amount, data.refundedTotal, data.capturedTotal].map((m) => m.currency),
      );
      if (currencies.size > 1) {
        ctx.addIssue({ code: 'custom', path: ['amount', 'currency'], message: 'mixed currencies' });
      }
      if (data.refundedTotal.amountMinor > data.capturedTotal.amountMinor) {
        ctx.addIssue({
          code: 'custom',
          path: ['refundedTotal', 'amountMinor'],
          message: 'refunded total exceeds captured total',
        });
      }
      if (data.amount.amountMinor > data.refundedTotal.amountMinor) {
        ctx.addIssue({
          code: 'custom',
          path: ['amount', 'amountMinor'],
          message: 'refund exceeds refunded total',
        });
      }
    }),
});
export type RefundIssuedV1Data = EventData<typeof RefundIssuedV1>;

export const RefundFailedV1 = defineEvent({
  ...common,
  type: PaymentsEventTypes.RefundFailed,
  version: 1,
  summary: 'A requested refund could not be paid out.',
  requirements: ['R-PAY-3'],
  schema: z.strictObject({
    paymentId: Id,
    refundId: Id,
    orderId: Id,
    caseId: Id.optional(),
    amount: Money,
    reason: z.enum(['exceeds-captured', 'provider-rejected', 'payment-not-captured']),
  }),
});
export type RefundFailedV1Data = EventData<typeof RefundFailedV1>;

export const CashOnDeliverySettledV1 = defineEvent({
  ...common,
  type: PaymentsEventTypes.CashOnDeliverySettled,
  version: 1,
  summary: 'The carrier collected cash on delivery and settled it with us.',
  requirements: ['R-PAY-1'],
  schema: z.strictObject({
    ...payment,
    shipmentId: Id,
    carrier: CarrierCode,
  }),
});
export type CashOnDeliverySettledV1Data = EventData<typeof CashOnDeliverySettledV1>;

/** Every payments contract, in documentation order. */
export const PAYMENTS_EVENT_CONTRACTS = [
  PaymentIntentCreatedV1,
  PaymentAuthorisedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentTimedOutV1,
  RefundIssuedV1,
  RefundFailedV1,
  CashOnDeliverySettledV1,
] as const;
