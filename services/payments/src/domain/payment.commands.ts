import type { Money } from './money';
import type { PaymentFailureReason, RefundKind } from './payment.events';
import type { PaymentMethod } from './payment-method';

/** Time comes with every command (`now`, ISO-8601): deciders never read the clock. */
interface Timed {
  readonly now: string;
}

export type CreatePaymentIntent = {
  readonly type: 'CreatePaymentIntent';
  readonly data: Timed & {
    readonly paymentId: string;
    readonly orderId: string;
    readonly customerId: string;
    readonly method: PaymentMethod;
    readonly amount: Money;
    readonly expiresAt: string;
  };
};

export type RecordProviderRegistration = {
  readonly type: 'RecordProviderRegistration';
  readonly data: Timed & {
    readonly providerReference: string;
    readonly payUrl?: string;
    readonly qrPayload?: string;
  };
};

/** A verified result from the provider (webhook or the answer to our capture call). */
export type RecordProviderResult = {
  readonly type: 'RecordProviderResult';
  readonly data: Timed & {
    readonly providerReference: string;
    readonly amount: Money;
  } & (
      | { readonly outcome: 'authorised' | 'captured' }
      | {
          readonly outcome: 'failed';
          readonly reason: PaymentFailureReason;
          readonly providerCode?: string;
        }
    );
};

export type TimeOutPayment = { readonly type: 'TimeOutPayment'; readonly data: Timed };

export type VoidPayment = {
  readonly type: 'VoidPayment';
  readonly data: Timed & { readonly reason: string };
};

export type SettleCashOnDelivery = {
  readonly type: 'SettleCashOnDelivery';
  readonly data: Timed & { readonly shipmentId: string; readonly carrier: string };
};

export type RecordCashReceived = {
  readonly type: 'RecordCashReceived';
  readonly data: Timed & {
    readonly amount: Money;
    readonly receiptReference: string;
    readonly storeId?: string;
  };
};

export type RequestRefund = {
  readonly type: 'RequestRefund';
  readonly data: Timed & {
    readonly refundId: string;
    readonly amount: Money;
    readonly kind: RefundKind;
    readonly reason: string;
    readonly caseId?: string;
  };
};

export type RecordRefundResult = {
  readonly type: 'RecordRefundResult';
  readonly data: Timed & { readonly refundId: string } & (
      | { readonly outcome: 'succeeded'; readonly providerRefundReference: string }
      | { readonly outcome: 'failed'; readonly detail?: string }
    );
};

export type PaymentCommand =
  | CreatePaymentIntent
  | RecordProviderRegistration
  | RecordProviderResult
  | TimeOutPayment
  | VoidPayment
  | SettleCashOnDelivery
  | RecordCashReceived
  | RequestRefund
  | RecordRefundResult;
