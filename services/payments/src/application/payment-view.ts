import type { RecordedEvent } from '@fulfil/event-store';
import type { Money } from '../domain/money';
import {
  refundableAmount,
  type OpenPaymentState,
  type RefundRecord,
} from '../domain/payment.state';

/** A payment as the HTTP API shows it. */
export interface PaymentView {
  readonly paymentId: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly method: string;
  readonly status: string;
  readonly amount: Money;
  readonly capturedTotal: Money;
  readonly refundedTotal: Money;
  readonly refundable: Money;
  readonly providerReference: string | null;
  readonly customerAction: {
    readonly type: string;
    readonly url: string | null;
    readonly qrPayload: string | null;
  };
  readonly expiresAt: string;
  readonly refunds: readonly RefundRecord[];
  readonly history: readonly {
    readonly type: string;
    readonly at: string;
    readonly version: number;
  }[];
}

export function toPaymentView(
  state: OpenPaymentState,
  history: readonly RecordedEvent[],
): PaymentView {
  const zero = { amountMinor: 0, currency: state.amount.currency };
  const captured = state.status === 'captured';
  return {
    paymentId: state.paymentId,
    orderId: state.orderId,
    customerId: state.customerId,
    method: state.method,
    status: state.status,
    amount: state.amount,
    capturedTotal: captured ? state.capturedTotal : zero,
    refundedTotal: captured ? state.refundedTotal : zero,
    refundable: captured ? refundableAmount(state) : zero,
    providerReference: state.providerReference ?? null,
    customerAction: {
      type: state.customerAction,
      url: state.payUrl ?? null,
      qrPayload: state.qrPayload ?? null,
    },
    expiresAt: state.expiresAt,
    refunds: captured ? state.refunds : [],
    history: history.map((event) => ({
      type: event.type,
      at: event.recordedAt.toISOString(),
      version: event.streamVersion,
    })),
  };
}
