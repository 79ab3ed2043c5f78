/**
 * The wire protocol of the SIMULATED payment provider ("SimPay"), modelled on real PSP APIs
 * (WeChat Pay / Alipay / card acquirers): JSON over HTTP, merchant API key as a bearer token,
 * amounts as integer minor units. The payments service's gateway adapter speaks it; a real
 * provider's adapter would map the same operations to that provider's API.
 */

export type SimMethod = 'wechat-pay' | 'alipay' | 'bank-card';
export type SimCaptureMode = 'automatic' | 'manual';
export type SimPaymentStatus =
  'requires_customer_action' | 'authorised' | 'captured' | 'failed' | 'cancelled';
export type SimFailureCode = 'declined' | 'insufficient_funds' | 'cancelled_by_customer';

export interface SimAmount {
  /** Minor units (fen, cents). */
  readonly value: number;
  readonly currency: string;
}

/** `POST /v1/payments` — idempotent per `merchantReference`. */
export interface SimCreatePaymentRequest {
  readonly merchantReference: string;
  readonly amount: SimAmount;
  readonly method: SimMethod;
  readonly captureMode: SimCaptureMode;
  /** Where result webhooks are POSTed. */
  readonly notifyUrl: string;
  readonly description?: string;
}

export interface SimRefund {
  readonly refundId: string;
  readonly merchantRefundReference: string;
  readonly amount: SimAmount;
  readonly status: 'succeeded';
  readonly createdAt: string;
}

/** A payment as every endpoint returns it. */
export interface SimPayment {
  readonly providerReference: string;
  readonly merchantReference: string;
  readonly method: SimMethod;
  readonly captureMode: SimCaptureMode;
  readonly amount: SimAmount;
  readonly status: SimPaymentStatus;
  readonly capturedAmount: SimAmount;
  readonly refundedAmount: SimAmount;
  readonly refunds: readonly SimRefund[];
  /** Checkout page (Alipay / card redirect, also shown for WeChat Pay). */
  readonly payUrl: string;
  /** What the WeChat Pay QR code encodes. */
  readonly qrPayload?: string;
  readonly failureCode?: SimFailureCode;
  readonly createdAt: string;
}

/** `POST /v1/payments/{ref}/refunds` — idempotent per `merchantRefundReference`. */
export interface SimRefundRequest {
  readonly merchantRefundReference: string;
  readonly amount: SimAmount;
}

/** `POST /simulator/pay/{ref}` — the customer's action at the checkout. */
export interface SimPayRequest {
  readonly outcome: 'succeeded' | 'declined' | 'insufficient-funds' | 'cancelled';
}

/** Body of every webhook; signed with Standard Webhooks. */
export interface SimWebhookEvent {
  readonly type:
    | 'payment.authorised'
    | 'payment.captured'
    | 'payment.failed'
    | 'payment.cancelled'
    | 'refund.succeeded';
  readonly createdAt: string;
  readonly data: SimPayment & { readonly refund?: SimRefund };
}

/** Error body: `{ "error": { "code": "refund_exceeds_captured", "message": "…" } }`. */
export interface SimError {
  readonly error: { readonly code: SimErrorCode; readonly message: string };
}

export type SimErrorCode =
  | 'unauthorised'
  | 'invalid_request'
  | 'not_found'
  | 'merchant_reference_conflict'
  | 'refund_reference_conflict'
  | 'payment_not_payable'
  | 'payment_not_authorised'
  | 'payment_not_captured'
  | 'payment_already_completed'
  | 'refund_exceeds_captured'
  | 'currency_mismatch';
