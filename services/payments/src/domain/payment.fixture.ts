import type { PaymentCommand } from './payment.commands';
import type { PaymentEvent, PaymentRef } from './payment.events';
import type { PaymentMethod } from './payment-method';
import { METHOD_POLICIES } from './payment-method';

/** Sample events and commands shared by the decider specs (test-only data). */
export const NOW = '2026-11-23T09:00:00.000Z';
export const EXPIRES_AT = '2026-11-23T09:15:00.000Z';
export const AFTER_EXPIRY = '2026-11-23T09:15:00.001Z';
export const CNY = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

export function ref(method: PaymentMethod = 'wechat-pay'): PaymentRef {
  return { paymentId: 'pay-1', orderId: 'order-1', method, amount: CNY(12_900) };
}

export function intentCreated(method: PaymentMethod = 'wechat-pay'): PaymentEvent {
  return {
    type: 'PaymentIntentCreated',
    data: {
      ...ref(method),
      customerId: 'cust-1',
      customerAction: METHOD_POLICIES[method].customerAction,
      expiresAt: EXPIRES_AT,
    },
  };
}

export const registered: PaymentEvent = {
  type: 'PaymentRegisteredWithProvider',
  data: { paymentId: 'pay-1', providerReference: 'sim_pay_1', payUrl: 'http://sim/pay/sim_pay_1' },
};

export function authorised(method: PaymentMethod = 'wechat-pay', afterClose = false): PaymentEvent {
  return {
    type: 'PaymentAuthorised',
    data: { ...ref(method), providerReference: 'sim_pay_1', afterClose },
  };
}

export function captured(method: PaymentMethod = 'wechat-pay', afterClose = false): PaymentEvent {
  return {
    type: 'PaymentCaptured',
    data: {
      ...ref(method),
      providerReference: 'sim_pay_1',
      capturedTotal: CNY(12_900),
      afterClose,
    },
  };
}

export function createIntent(method: PaymentMethod = 'wechat-pay'): PaymentCommand {
  return {
    type: 'CreatePaymentIntent',
    data: { ...ref(method), customerId: 'cust-1', expiresAt: EXPIRES_AT, now: NOW },
  };
}

export function providerResult(
  outcome: 'authorised' | 'captured',
  amountMinor = 12_900,
  currency = 'CNY',
): PaymentCommand {
  return {
    type: 'RecordProviderResult',
    data: { outcome, providerReference: 'sim_pay_1', amount: { amountMinor, currency }, now: NOW },
  };
}

export function requestRefund(
  refundId: string,
  amountMinor: number,
  kind: 'full' | 'partial' | 'price-difference' = 'partial',
  currency = 'CNY',
): PaymentCommand {
  return {
    type: 'RequestRefund',
    data: { refundId, amount: { amountMinor, currency }, kind, reason: 'test', now: NOW },
  };
}

export function refundRequested(
  refundId: string,
  amountMinor: number,
  kind: 'full' | 'partial' | 'price-difference' = 'partial',
): PaymentEvent {
  return {
    type: 'RefundRequested',
    data: {
      paymentId: 'pay-1',
      orderId: 'order-1',
      refundId,
      amount: CNY(amountMinor),
      kind,
      reason: 'test',
    },
  };
}
