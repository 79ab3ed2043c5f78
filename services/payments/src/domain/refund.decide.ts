import type { RecordRefundResult, RequestRefund } from './payment.commands';
import {
  CurrencyMismatch,
  FullRefundAmount,
  InvalidAmount,
  PaymentNotCaptured,
  RefundExceedsCaptured,
  RefundIdReused,
  UnknownRefund,
} from './payment.errors';
import type { PaymentEvent } from './payment.events';
import { refundableAmount, type OpenPaymentState } from './payment.state';

/**
 * A refund holds its amount from the request on, so the sum of issued and pending refunds can
 * never pass the captured total — also when requests race: the event store's expected version
 * makes the second request decide on the first one's hold (R-PAY-3).
 */
export function decideRequestRefund(
  command: RequestRefund,
  state: OpenPaymentState,
): PaymentEvent[] {
  const { refundId, amount, kind, reason, caseId } = command.data;
  if (!Number.isSafeInteger(amount.amountMinor) || amount.amountMinor <= 0) {
    throw new InvalidAmount(amount);
  }
  if (amount.currency !== state.amount.currency) {
    throw new CurrencyMismatch(state.amount.currency, amount.currency);
  }
  if (state.status !== 'captured') throw new PaymentNotCaptured(state.paymentId, state.status);
  const earlier = state.refunds.find((refund) => refund.refundId === refundId);
  if (earlier) {
    if (earlier.amount.amountMinor === amount.amountMinor && earlier.kind === kind) return [];
    throw new RefundIdReused(refundId);
  }
  const refundable = refundableAmount(state);
  if (amount.amountMinor > refundable.amountMinor)
    throw new RefundExceedsCaptured(amount, refundable);
  if (kind === 'full' && amount.amountMinor !== refundable.amountMinor) {
    throw new FullRefundAmount(amount, refundable);
  }
  return [
    {
      type: 'RefundRequested',
      data: {
        paymentId: state.paymentId,
        orderId: state.orderId,
        refundId,
        amount,
        kind,
        reason,
        ...(caseId === undefined ? {} : { caseId }),
      },
    },
  ];
}

/** Records the provider's answer to a refund; a repeated answer decides nothing. */
export function decideRefundResult(
  command: RecordRefundResult,
  state: OpenPaymentState,
): PaymentEvent[] {
  const result = command.data;
  if (state.status !== 'captured') throw new UnknownRefund(result.refundId);
  const refund = state.refunds.find((candidate) => candidate.refundId === result.refundId);
  if (!refund) throw new UnknownRefund(result.refundId);
  if (refund.status !== 'pending') return [];
  const ref = {
    paymentId: state.paymentId,
    orderId: state.orderId,
    refundId: refund.refundId,
    amount: refund.amount,
    ...(refund.caseId === undefined ? {} : { caseId: refund.caseId }),
  };
  if (result.outcome === 'failed') {
    return [
      {
        type: 'RefundFailed',
        data: {
          ...ref,
          reason: 'provider-rejected',
          ...(result.detail === undefined ? {} : { detail: result.detail }),
        },
      },
    ];
  }
  return [
    {
      type: 'RefundIssued',
      data: {
        ...ref,
        kind: refund.kind,
        providerRefundReference: result.providerRefundReference,
        refundedTotal: {
          amountMinor: state.refundedTotal.amountMinor + refund.amount.amountMinor,
          currency: state.refundedTotal.currency,
        },
        capturedTotal: state.capturedTotal,
      },
    },
  ];
}
