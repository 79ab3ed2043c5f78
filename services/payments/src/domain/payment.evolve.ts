import type { PaymentEvent } from './payment.events';
import type { PaymentState, RefundRecord } from './payment.state';

/** The state after one event; never throws for an event `decide` can emit. */
export function evolvePayment(state: PaymentState, event: PaymentEvent): PaymentState {
  if (event.type === 'PaymentIntentCreated') {
    const { paymentId, orderId, customerId, method, amount, customerAction, expiresAt } =
      event.data;
    return {
      status: 'pending',
      paymentId,
      orderId,
      customerId,
      method,
      amount,
      customerAction,
      expiresAt,
      wasAuthorised: false,
      afterClose: false,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'PaymentRegisteredWithProvider':
      return {
        ...state,
        providerReference: event.data.providerReference,
        ...(event.data.payUrl === undefined ? {} : { payUrl: event.data.payUrl }),
        ...(event.data.qrPayload === undefined ? {} : { qrPayload: event.data.qrPayload }),
      };
    case 'PaymentAuthorised':
      return {
        ...state,
        status: 'authorised',
        providerReference: event.data.providerReference,
        wasAuthorised: true,
        afterClose: state.afterClose || event.data.afterClose,
      };
    case 'PaymentCaptured':
      return captured(state, event.data.capturedTotal, {
        providerReference: event.data.providerReference,
        afterClose: state.afterClose || event.data.afterClose,
      });
    case 'CashOnDeliverySettled':
      return captured(state, event.data.capturedTotal, {});
    case 'CashReceivedInStore':
      return captured(state, event.data.capturedTotal, {
        providerReference: event.data.receiptReference,
      });
    case 'PaymentFailed':
      return { ...state, status: 'failed' };
    case 'PaymentTimedOut':
      return { ...state, status: 'timed-out' };
    case 'PaymentVoided':
      return { ...state, status: 'voided' };
    case 'RefundRequested':
      if (state.status !== 'captured') return state;
      return {
        ...state,
        refunds: [
          ...state.refunds,
          {
            refundId: event.data.refundId,
            amount: event.data.amount,
            kind: event.data.kind,
            ...(event.data.caseId === undefined ? {} : { caseId: event.data.caseId }),
            status: 'pending',
          },
        ],
      };
    case 'RefundIssued':
      if (state.status !== 'captured') return state;
      return {
        ...state,
        refundedTotal: event.data.refundedTotal,
        refunds: withRefundStatus(state.refunds, event.data.refundId, 'issued'),
      };
    case 'RefundFailed':
      if (state.status !== 'captured') return state;
      return { ...state, refunds: withRefundStatus(state.refunds, event.data.refundId, 'failed') };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

function captured(
  state: Exclude<PaymentState, { status: 'none' }>,
  capturedTotal: { amountMinor: number; currency: string },
  changes: { providerReference?: string; afterClose?: boolean },
): PaymentState {
  return {
    ...state,
    ...changes,
    status: 'captured',
    capturedTotal,
    refundedTotal: { amountMinor: 0, currency: capturedTotal.currency },
    refunds: [],
  };
}

function withRefundStatus(
  refunds: readonly RefundRecord[],
  refundId: string,
  status: RefundRecord['status'],
): RefundRecord[] {
  return refunds.map((refund) => (refund.refundId === refundId ? { ...refund, status } : refund));
}
