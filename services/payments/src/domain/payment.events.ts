import type { Money } from './money';
import type { CustomerAction, PaymentMethod } from './payment-method';

/** The payment every event is about; repeated so that each event reads on its own. */
export interface PaymentRef {
  readonly paymentId: string;
  readonly orderId: string;
  readonly method: PaymentMethod;
  readonly amount: Money;
}

export type RefundKind = 'full' | 'partial' | 'price-difference';

export type PaymentFailureReason =
  | 'declined'
  | 'insufficient-funds'
  | 'cancelled-by-customer'
  | 'provider-error'
  | 'fraud-suspected';

export type RefundFailureReason = 'exceeds-captured' | 'provider-rejected' | 'payment-not-captured';

export type PaymentIntentCreated = {
  readonly type: 'PaymentIntentCreated';
  readonly data: PaymentRef & {
    readonly customerId: string;
    readonly customerAction: CustomerAction;
    readonly expiresAt: string;
  };
};

/** The online provider accepted the intent; the customer pays at `payUrl` / by `qrPayload`. */
export type PaymentRegisteredWithProvider = {
  readonly type: 'PaymentRegisteredWithProvider';
  readonly data: {
    readonly paymentId: string;
    readonly providerReference: string;
    readonly payUrl?: string;
    readonly qrPayload?: string;
  };
};

/**
 * `afterClose` marks money the provider took after we had already closed the payment
 * (timed out, voided, failed): it must be given back (void or refund).
 */
export type PaymentAuthorised = {
  readonly type: 'PaymentAuthorised';
  readonly data: PaymentRef & { readonly providerReference: string; readonly afterClose: boolean };
};

export type PaymentCaptured = {
  readonly type: 'PaymentCaptured';
  readonly data: PaymentRef & {
    readonly providerReference: string;
    readonly capturedTotal: Money;
    readonly afterClose: boolean;
  };
};

export type PaymentFailed = {
  readonly type: 'PaymentFailed';
  readonly data: PaymentRef & {
    readonly reason: PaymentFailureReason;
    readonly providerCode?: string;
  };
};

export type PaymentTimedOut = {
  readonly type: 'PaymentTimedOut';
  readonly data: PaymentRef & { readonly expiredAt: string };
};

/** An open intent or an authorisation was cancelled; no money moved. */
export type PaymentVoided = {
  readonly type: 'PaymentVoided';
  readonly data: PaymentRef & { readonly reason: string };
};

/** The carrier collected the cash on delivery (R-PAY-1). */
export type CashOnDeliverySettled = {
  readonly type: 'CashOnDeliverySettled';
  readonly data: PaymentRef & {
    readonly shipmentId: string;
    readonly carrier: string;
    readonly capturedTotal: Money;
  };
};

/** The store's POS recorded the customer's cash. */
export type CashReceivedInStore = {
  readonly type: 'CashReceivedInStore';
  readonly data: PaymentRef & {
    readonly receiptReference: string;
    readonly storeId?: string;
    readonly capturedTotal: Money;
  };
};

interface RefundRef {
  readonly paymentId: string;
  readonly orderId: string;
  readonly refundId: string;
  readonly amount: Money;
  readonly caseId?: string;
}

/** The amount is set aside so that concurrent refunds can never exceed the captured total. */
export type RefundRequested = {
  readonly type: 'RefundRequested';
  readonly data: RefundRef & { readonly kind: RefundKind; readonly reason: string };
};

export type RefundIssued = {
  readonly type: 'RefundIssued';
  readonly data: RefundRef & {
    readonly kind: RefundKind;
    readonly providerRefundReference: string;
    readonly refundedTotal: Money;
    readonly capturedTotal: Money;
  };
};

export type RefundFailed = {
  readonly type: 'RefundFailed';
  readonly data: RefundRef & { readonly reason: RefundFailureReason; readonly detail?: string };
};

export type PaymentEvent =
  | PaymentIntentCreated
  | PaymentRegisteredWithProvider
  | PaymentAuthorised
  | PaymentCaptured
  | PaymentFailed
  | PaymentTimedOut
  | PaymentVoided
  | CashOnDeliverySettled
  | CashReceivedInStore
  | RefundRequested
  | RefundIssued
  | RefundFailed;

export type PaymentEventType = PaymentEvent['type'];
