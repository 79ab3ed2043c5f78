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

/** Members that every published event of a payment's own carries (refunds name theirs). */
const PAYMENT = ['paymentId', 'orderId', 'method', 'amount'] as const;

/** The `keys` of `value` that are set: an optional member left undefined stays out. */
function pick<T extends object, K extends keyof T>(value: T, ...keys: K[]): Pick<T, K> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) picked[key] = value[key];
  return picked as Pick<T, K>;
}

/** Every payment contract is at version 1. */
function v1(type: string, data: unknown): IntegrationEvent {
  return { type, version: 1, data } as unknown as IntegrationEvent;
}

/** Named members only (not `omit`): a field added to a domain event stays private. */
function translate(event: PaymentEvent): IntegrationEvent | undefined {
  switch (event.type) {
    case 'PaymentIntentCreated':
      return v1(
        PaymentsEventTypes.PaymentIntentCreated,
        pick(event.data, ...PAYMENT, 'customerAction', 'expiresAt'),
      );
    case 'PaymentAuthorised':
      return v1(
        PaymentsEventTypes.PaymentAuthorised,
        pick(event.data, ...PAYMENT, 'providerReference'),
      );
    case 'PaymentCaptured':
      return v1(
        PaymentsEventTypes.PaymentCaptured,
        pick(event.data, ...PAYMENT, 'providerReference', 'capturedTotal'),
      );
    case 'CashReceivedInStore':
      // Cash at the till is a capture too; its receipt stands in for a provider reference.
      return v1(PaymentsEventTypes.PaymentCaptured, {
        ...pick(event.data, ...PAYMENT, 'capturedTotal'),
        providerReference: event.data.receiptReference,
      });
    case 'CashOnDeliverySettled':
      return v1(
        PaymentsEventTypes.CashOnDeliverySettled,
        pick(event.data, ...PAYMENT, 'shipmentId', 'carrier'),
      );
    case 'PaymentFailed':
      return v1(
        PaymentsEventTypes.PaymentFailed,
        pick(event.data, ...PAYMENT, 'reason', 'providerCode'),
      );
    case 'PaymentTimedOut':
      return v1(PaymentsEventTypes.PaymentTimedOut, pick(event.data, ...PAYMENT, 'expiredAt'));
    case 'RefundIssued':
      return v1(
        PaymentsEventTypes.RefundIssued,
        pick(
          event.data,
          'paymentId',
          'refundId',
          'orderId',
          'caseId',
          'kind',
          'amount',
          'refundedTotal',
          'capturedTotal',
        ),
      );
    case 'RefundFailed':
      return v1(
        PaymentsEventTypes.RefundFailed,
        pick(event.data, 'paymentId', 'refundId', 'orderId', 'caseId', 'amount', 'reason'),
      );
    case 'PaymentRegisteredWithProvider':
    case 'PaymentVoided':
    case 'RefundRequested':
      return undefined;
    default:
      return assertNever(event);
  }
}
