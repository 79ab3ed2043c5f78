import { PaymentsEventTypes, type IntegrationEvent } from '@fulfil/contracts';
import type { RecordedEvent } from '@fulfil/event-store';
import type { OutgoingIntegrationEvent } from '@fulfil/messaging';
import { assertNever } from '../domain/payment.decider';
import type { PaymentEvent } from '../domain/payment.events';

/**
 * Domain events (stored) → integration events (published on `payments.events`). Internal
 * steps — the provider registration, a void, a refund's request — stay private. Each published
 * event reuses its domain event's id as `ce_id`, so a replay is recognised by consumers.
 */
export function toIntegrationEvents(
  recorded: readonly RecordedEvent[],
): OutgoingIntegrationEvent[] {
  return recorded.flatMap((stored) => {
    const event = translate({ type: stored.type, data: stored.data } as PaymentEvent);
    return event ? [{ event, id: stored.eventId, time: stored.recordedAt.toISOString() }] : [];
  });
}

function translate(event: PaymentEvent): IntegrationEvent | undefined {
  const v1 = <T extends string>(type: T, data: unknown) =>
    ({ type, version: 1, data }) as unknown as IntegrationEvent;
  switch (event.type) {
    case 'PaymentIntentCreated': {
      const { paymentId, orderId, method, amount, customerAction, expiresAt } = event.data;
      return v1(PaymentsEventTypes.PaymentIntentCreated, {
        paymentId,
        orderId,
        method,
        amount,
        customerAction,
        expiresAt,
      });
    }
    case 'PaymentAuthorised': {
      const { paymentId, orderId, method, amount, providerReference } = event.data;
      return v1(PaymentsEventTypes.PaymentAuthorised, {
        paymentId,
        orderId,
        method,
        amount,
        providerReference,
      });
    }
    case 'PaymentCaptured': {
      const { paymentId, orderId, method, amount, providerReference, capturedTotal } = event.data;
      return v1(PaymentsEventTypes.PaymentCaptured, {
        paymentId,
        orderId,
        method,
        amount,
        providerReference,
        capturedTotal,
      });
    }
    case 'CashReceivedInStore': {
      // Cash at the till is a capture too; its receipt stands in for a provider reference.
      const { paymentId, orderId, method, amount, receiptReference, capturedTotal } = event.data;
      return v1(PaymentsEventTypes.PaymentCaptured, {
        paymentId,
        orderId,
        method,
        amount,
        providerReference: receiptReference,
        capturedTotal,
      });
    }
    case 'CashOnDeliverySettled': {
      const { paymentId, orderId, method, amount, shipmentId, carrier } = event.data;
      return v1(PaymentsEventTypes.CashOnDeliverySettled, {
        paymentId,
        orderId,
        method,
        amount,
        shipmentId,
        carrier,
      });
    }
    case 'PaymentFailed': {
      const { paymentId, orderId, method, amount, reason, providerCode } = event.data;
      return v1(PaymentsEventTypes.PaymentFailed, {
        paymentId,
        orderId,
        method,
        amount,
        reason,
        ...(providerCode === undefined ? {} : { providerCode }),
      });
    }
    case 'PaymentTimedOut': {
      const { paymentId, orderId, method, amount, expiredAt } = event.data;
      return v1(PaymentsEventTypes.PaymentTimedOut, {
        paymentId,
        orderId,
        method,
        amount,
        expiredAt,
      });
    }
    case 'RefundIssued': {
      const { paymentId, refundId, orderId, caseId, kind, amount, refundedTotal, capturedTotal } =
        event.data;
      return v1(PaymentsEventTypes.RefundIssued, {
        paymentId,
        refundId,
        orderId,
        ...(caseId === undefined ? {} : { caseId }),
        kind,
        amount,
        refundedTotal,
        capturedTotal,
      });
    }
    case 'RefundFailed': {
      const { paymentId, refundId, orderId, caseId, amount, reason } = event.data;
      return v1(PaymentsEventTypes.RefundFailed, {
        paymentId,
        refundId,
        orderId,
        ...(caseId === undefined ? {} : { caseId }),
        amount,
        reason,
      });
    }
    case 'PaymentRegisteredWithProvider':
    case 'PaymentVoided':
    case 'RefundRequested':
      return undefined;
    default:
      return assertNever(event);
  }
}
