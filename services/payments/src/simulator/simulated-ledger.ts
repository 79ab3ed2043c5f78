import { randomBytes, randomUUID } from 'node:crypto';
import type {
  SimAmount,
  SimCreatePaymentRequest,
  SimErrorCode,
  SimFailureCode,
  SimPayment,
  SimPayRequest,
  SimRefund,
  SimRefundRequest,
  SimWebhookEvent,
} from './simulator.protocol';

/** A refusal the simulator answers with an HTTP status and a provider error code. */
export class SimRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: SimErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What a change produced: the payment and the webhook to send (if any). */
export interface LedgerResult {
  readonly payment: SimPayment;
  readonly created?: boolean;
  readonly webhook?: { readonly notifyUrl: string; readonly event: SimWebhookEvent };
}

const FAILURES: Record<Exclude<SimPayRequest['outcome'], 'succeeded'>, SimFailureCode> = {
  declined: 'declined',
  'insufficient-funds': 'insufficient_funds',
  cancelled: 'cancelled_by_customer',
};

/**
 * Payments the ledger keeps by default: about 55 MB of heap (some 550 bytes each). The
 * simulator runs inside the payments service by default, whose memory would otherwise grow with
 * every payment for as long as it runs.
 */
export const DEFAULT_MAX_PAYMENTS = 100_000;

/**
 * The simulated provider's books, in memory: payments by provider reference, with the rules a
 * real provider enforces — create is idempotent per merchant reference, capture and cancel are
 * idempotent, refunds are idempotent per merchant refund reference and never exceed what was
 * captured. It keeps the `maxPayments` most recent payments: an older one is forgotten (404
 * `not_found`, and its merchant reference creates a new payment). SIMULATOR ONLY: nothing here
 * moves money.
 */
export class SimulatedLedger {
  // In creation order (a Map's), so the oldest payment is the first.
  private readonly payments = new Map<string, Mutable<SimPayment> & { notifyUrl: string }>();
  private readonly byMerchantReference = new Map<string, string>();

  constructor(
    private readonly publicUrl: () => string,
    private readonly maxPayments = DEFAULT_MAX_PAYMENTS,
  ) {}

  create(request: SimCreatePaymentRequest): LedgerResult {
    const existingRef = this.byMerchantReference.get(request.merchantReference);
    if (existingRef) {
      const existing = this.require(existingRef);
      if (
        existing.amount.value !== request.amount.value ||
        existing.amount.currency !== request.amount.currency ||
        existing.method !== request.method
      ) {
        throw new SimRefusal(
          409,
          'merchant_reference_conflict',
          'merchantReference already used for another payment',
        );
      }
      return { payment: snapshot(existing), created: false };
    }
    const providerReference = `sim_pay_${randomBytes(12).toString('hex')}`;
    const payment = {
      providerReference,
      merchantReference: request.merchantReference,
      method: request.method,
      captureMode: request.captureMode,
      amount: request.amount,
      status: 'requires_customer_action' as const,
      capturedAmount: zero(request.amount),
      refundedAmount: zero(request.amount),
      refunds: [] as SimRefund[],
      payUrl: `${this.publicUrl()}/checkout/${providerReference}`,
      ...(request.method === 'wechat-pay'
        ? { qrPayload: `weixin://wxpay/bizpayurl?pr=${providerReference}` }
        : {}),
      createdAt: new Date().toISOString(),
      notifyUrl: request.notifyUrl,
    };
    this.payments.set(providerReference, payment);
    this.byMerchantReference.set(request.merchantReference, providerReference);
    if (this.payments.size > this.maxPayments) this.forgetOldest();
    return { payment: snapshot(payment), created: true };
  }

  /** How many payments the ledger holds. */
  get size(): number {
    return this.payments.size;
  }

  private forgetOldest(): void {
    const [reference, oldest] = this.payments.entries().next().value!;
    this.payments.delete(reference);
    this.byMerchantReference.delete(oldest.merchantReference);
  }

  get(providerReference: string): SimPayment {
    return snapshot(this.require(providerReference));
  }

  /** The customer completes (or abandons) the checkout. */
  pay(providerReference: string, outcome: SimPayRequest['outcome']): LedgerResult {
    const payment = this.require(providerReference);
    if (payment.status !== 'requires_customer_action') {
      throw new SimRefusal(409, 'payment_not_payable', `payment is ${payment.status}`);
    }
    if (outcome !== 'succeeded') {
      payment.status = 'failed';
      payment.failureCode = FAILURES[outcome];
      return this.withWebhook(payment, 'payment.failed');
    }
    if (payment.captureMode === 'automatic') {
      payment.status = 'captured';
      payment.capturedAmount = payment.amount;
      return this.withWebhook(payment, 'payment.captured');
    }
    payment.status = 'authorised';
    return this.withWebhook(payment, 'payment.authorised');
  }

  capture(providerReference: string): LedgerResult {
    const payment = this.require(providerReference);
    if (payment.status === 'captured') return { payment: snapshot(payment) };
    if (payment.status !== 'authorised') {
      throw new SimRefusal(409, 'payment_not_authorised', `payment is ${payment.status}`);
    }
    payment.status = 'captured';
    payment.capturedAmount = payment.amount;
    return this.withWebhook(payment, 'payment.captured');
  }

  /** Cancels an unpaid payment or releases an authorisation; captured money needs a refund. */
  cancel(providerReference: string): LedgerResult {
    const payment = this.require(providerReference);
    if (payment.status === 'cancelled' || payment.status === 'failed') {
      return { payment: snapshot(payment) };
    }
    if (payment.status === 'captured') {
      throw new SimRefusal(409, 'payment_already_completed', 'payment is captured: refund it');
    }
    payment.status = 'cancelled';
    return this.withWebhook(payment, 'payment.cancelled');
  }

  refund(
    providerReference: string,
    request: SimRefundRequest,
  ): LedgerResult & { refund: SimRefund } {
    const payment = this.require(providerReference);
    const earlier = payment.refunds.find(
      (refund) => refund.merchantRefundReference === request.merchantRefundReference,
    );
    if (earlier) {
      if (earlier.amount.value !== request.amount.value) {
        throw new SimRefusal(409, 'refund_reference_conflict', 'merchantRefundReference reused');
      }
      return { payment: snapshot(payment), refund: earlier };
    }
    if (payment.status !== 'captured') {
      throw new SimRefusal(409, 'payment_not_captured', `payment is ${payment.status}`);
    }
    if (request.amount.currency !== payment.amount.currency) {
      throw new SimRefusal(422, 'currency_mismatch', `payment is in ${payment.amount.currency}`);
    }
    const remaining = payment.capturedAmount.value - payment.refundedAmount.value;
    if (request.amount.value > remaining) {
      throw new SimRefusal(
        422,
        'refund_exceeds_captured',
        `only ${remaining} ${payment.amount.currency} can still be refunded`,
      );
    }
    const refund: SimRefund = {
      refundId: `sim_re_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      merchantRefundReference: request.merchantRefundReference,
      amount: request.amount,
      status: 'succeeded',
      createdAt: new Date().toISOString(),
    };
    payment.refunds = [...payment.refunds, refund];
    payment.refundedAmount = {
      value: payment.refundedAmount.value + request.amount.value,
      currency: payment.amount.currency,
    };
    return { ...this.withWebhook(payment, 'refund.succeeded', refund), refund };
  }

  private withWebhook(
    payment: Mutable<SimPayment> & { notifyUrl: string },
    type: SimWebhookEvent['type'],
    refund?: SimRefund,
  ): LedgerResult {
    const data = snapshot(payment);
    return {
      payment: data,
      webhook: {
        notifyUrl: payment.notifyUrl,
        event: {
          type,
          createdAt: new Date().toISOString(),
          data: refund ? { ...data, refund } : data,
        },
      },
    };
  }

  private require(providerReference: string) {
    const payment = this.payments.get(providerReference);
    if (!payment) throw new SimRefusal(404, 'not_found', `no payment ${providerReference}`);
    return payment;
  }
}

function zero(amount: SimAmount): SimAmount {
  return { value: 0, currency: amount.currency };
}

function snapshot(payment: SimPayment & { notifyUrl?: string }): SimPayment {
  const copy: SimPayment & { notifyUrl?: string } = { ...payment, refunds: [...payment.refunds] };
  delete copy.notifyUrl;
  return copy;
}
