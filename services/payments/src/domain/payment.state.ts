import type { Money } from './money';
import type { RefundKind } from './payment.events';
import type { CustomerAction, PaymentMethod } from './payment-method';

export type PaymentStatus =
  'none' | 'pending' | 'authorised' | 'captured' | 'failed' | 'timed-out' | 'voided';

/**
 * Allowed status transitions. `pending` waits for the customer (online) or for the cash.
 * A closed payment (failed, timed out, voided) can still become authorised/captured when a
 * provider reports money taken after we closed it; that money is then given back.
 */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  none: ['pending'],
  pending: ['authorised', 'captured', 'failed', 'timed-out', 'voided'],
  authorised: ['captured', 'voided'],
  captured: [],
  failed: ['authorised', 'captured'],
  'timed-out': ['authorised', 'captured'],
  voided: ['authorised', 'captured'],
};

export interface RefundRecord {
  readonly refundId: string;
  readonly amount: Money;
  readonly kind: RefundKind;
  readonly caseId?: string;
  readonly status: 'pending' | 'issued' | 'failed';
}

export interface PaymentFacts {
  readonly paymentId: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly method: PaymentMethod;
  readonly amount: Money;
  readonly customerAction: CustomerAction;
  readonly expiresAt: string;
  readonly providerReference?: string;
  readonly payUrl?: string;
  readonly qrPayload?: string;
  /** The provider authorised the money at some point (it may have been voided since). */
  readonly wasAuthorised: boolean;
  /** Money reached us after the payment was closed; it must be given back. */
  readonly afterClose: boolean;
}

export type PaymentState =
  | { readonly status: 'none' }
  | (PaymentFacts & {
      readonly status: 'pending' | 'authorised' | 'failed' | 'timed-out' | 'voided';
    })
  | (PaymentFacts & {
      readonly status: 'captured';
      readonly capturedTotal: Money;
      /** Refunds paid out. */
      readonly refundedTotal: Money;
      /** Every refund by id, in request order: pending ones hold their amount. */
      readonly refunds: readonly RefundRecord[];
    });

export type OpenPaymentState = Exclude<PaymentState, { status: 'none' }>;
export type CapturedPaymentState = Extract<PaymentState, { status: 'captured' }>;

/** Captured minus refunded minus what pending refunds hold: the most a new refund may take. */
export function refundableAmount(state: CapturedPaymentState): Money {
  const held = state.refunds
    .filter((refund) => refund.status !== 'failed')
    .reduce((total, refund) => total + refund.amount.amountMinor, 0);
  return { amountMinor: state.capturedTotal.amountMinor - held, currency: state.amount.currency };
}
