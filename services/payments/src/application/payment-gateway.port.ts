import type { Money } from '../domain/money';
import type { PaymentMethod } from '../domain/payment-method';

/**
 * The payment provider as the application needs it. Every operation is idempotent on the
 * provider's side (create per merchant reference = our payment id, refund per our refund id,
 * capture and cancel per payment), so a retried task can never charge or refund twice.
 */
export interface PaymentGateway {
  register(request: {
    paymentId: string;
    method: PaymentMethod;
    amount: Money;
    captureMode: 'automatic' | 'manual';
    notifyUrl: string;
  }): Promise<{ providerReference: string; payUrl?: string; qrPayload?: string }>;

  /** Captures an authorisation; also answers for one captured before. */
  capture(providerReference: string): Promise<{ capturedAmount: Money }>;

  /**
   * Cancels an unpaid payment or releases an authorisation. `completed` means the money was
   * taken first: the caller must record that instead (and give it back if it must).
   */
  cancel(
    providerReference: string,
  ): Promise<
    { outcome: 'cancelled' } | { outcome: 'completed'; status: 'captured'; amount: Money }
  >;

  refund(
    providerReference: string,
    request: { refundId: string; amount: Money },
  ): Promise<
    | { outcome: 'succeeded'; providerRefundReference: string }
    | { outcome: 'rejected'; code: string; detail: string }
  >;
}

/** Injection token of the {@link PaymentGateway}. */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');

/** The provider could not be reached or answered with an error: try again later. */
export class GatewayUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayUnavailableError';
  }
}
