import { parseIntegrationEvent, PaymentsEventTypes } from '@fulfil/contracts';
import type { RecordedEvent } from '@fulfil/event-store';
import {
  authorised,
  captured,
  CNY,
  EXPIRES_AT,
  intentCreated,
  ref,
  refundRequested,
  registered,
} from '../domain/payment.fixture';
import type { PaymentEvent } from '../domain/payment.events';
import { toIntegrationEvents } from './payment-integration-events';

const RECORDED_AT = new Date('2026-11-23T09:00:00.000Z');
const refund = { paymentId: 'pay-1', orderId: 'order-1', refundId: 'refund-1', amount: CNY(900) };
const timedOut: PaymentEvent = {
  type: 'PaymentTimedOut',
  data: { ...ref(), expiredAt: EXPIRES_AT },
};

function recorded(event: PaymentEvent, eventId = 'event-1'): RecordedEvent {
  return { ...event, eventId, recordedAt: RECORDED_AT } as unknown as RecordedEvent;
}

/** The one integration event `event` is published as, checked against its contract. */
function publishedAs(event: PaymentEvent): { type: string; data: unknown } {
  const [outgoing, ...more] = toIntegrationEvents([recorded(event)]);
  expect(more).toEqual([]);
  const { type, version, data } = outgoing!.event;
  // Strict schemas: a domain-only member that leaked, or one left out, fails here.
  parseIntegrationEvent(type, version, data);
  return { type, data };
}

describe('toIntegrationEvents', () => {
  it("publishes an intent with the customer's action, not the customer", () => {
    // The fixture's intent names its customer (cust-1); the published one must not.
    expect(publishedAs(intentCreated())).toEqual({
      type: PaymentsEventTypes.PaymentIntentCreated,
      data: { ...ref(), customerAction: 'qr-code', expiresAt: EXPIRES_AT },
    });
  });

  it('leaves out whether a result came after the payment closed', () => {
    expect(publishedAs(authorised('wechat-pay', true)).data).toEqual({
      ...ref(),
      providerReference: 'sim_pay_1',
    });
    expect(publishedAs(captured()).data).toEqual({
      ...ref(),
      providerReference: 'sim_pay_1',
      capturedTotal: CNY(12_900),
    });
  });

  it("publishes cash at the till as a capture, the receipt standing in for the provider's reference", () => {
    const event: PaymentEvent = {
      type: 'CashReceivedInStore',
      data: {
        ...ref('cash-in-store'),
        receiptReference: 'pos-7',
        storeId: 'store-1',
        capturedTotal: CNY(12_900),
      },
    };
    expect(publishedAs(event)).toEqual({
      type: PaymentsEventTypes.PaymentCaptured,
      data: { ...ref('cash-in-store'), providerReference: 'pos-7', capturedTotal: CNY(12_900) },
    });
  });

  it('publishes cash on delivery, a failure with and without a provider code and a timeout', () => {
    const settled: PaymentEvent = {
      type: 'CashOnDeliverySettled',
      data: {
        ...ref('cash-on-delivery'),
        shipmentId: 'shp-1',
        carrier: 'sf-express',
        capturedTotal: CNY(12_900),
      },
    };
    expect(publishedAs(settled).data).toEqual({
      ...ref('cash-on-delivery'),
      shipmentId: 'shp-1',
      carrier: 'sf-express',
    });
    const failed = (providerCode?: string): PaymentEvent => ({
      type: 'PaymentFailed',
      data: { ...ref(), reason: 'declined', ...(providerCode ? { providerCode } : {}) },
    });
    expect(publishedAs(failed('NOTENOUGH')).data).toEqual({
      ...ref(),
      reason: 'declined',
      providerCode: 'NOTENOUGH',
    });
    expect(publishedAs(failed()).data).not.toHaveProperty('providerCode');
    expect(publishedAs(timedOut).data).toEqual({ ...ref(), expiredAt: EXPIRES_AT });
  });

  it("publishes refunds without the provider's refund reference or the failure's detail", () => {
    const issued: PaymentEvent = {
      type: 'RefundIssued',
      data: {
        ...refund,
        caseId: 'case-1',
        kind: 'partial',
        providerRefundReference: 'sim_refund_1',
        refundedTotal: CNY(900),
        capturedTotal: CNY(12_900),
      },
    };
    expect(publishedAs(issued).data).toEqual({
      ...refund,
      caseId: 'case-1',
      kind: 'partial',
      refundedTotal: CNY(900),
      capturedTotal: CNY(12_900),
    });
    const failed: PaymentEvent = {
      type: 'RefundFailed',
      data: { ...refund, reason: 'provider-rejected', detail: 'account closed' },
    };
    expect(publishedAs(failed).data).toEqual({ ...refund, reason: 'provider-rejected' });
  });

  it('keeps internal steps private, and publishes each event under its stored id and time', () => {
    const internal: PaymentEvent[] = [
      registered,
      { type: 'PaymentVoided', data: { ...ref(), reason: 'order-cancelled' } },
      refundRequested('refund-1', 900),
    ];
    const published = toIntegrationEvents([
      ...internal.map((event) => recorded(event)),
      recorded(timedOut, 'event-2'),
    ]);
    expect(published.map(({ id, time }) => ({ id, time }))).toEqual([
      { id: 'event-2', time: RECORDED_AT.toISOString() },
    ]);
  });
});
