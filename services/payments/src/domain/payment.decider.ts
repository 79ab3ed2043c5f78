import type { Decider } from '@fulfil/decider';
import type {
  CreatePaymentIntent,
  PaymentCommand,
  RecordCashReceived,
  RecordProviderRegistration,
  RecordProviderResult,
  SettleCashOnDelivery,
  TimeOutPayment,
  VoidPayment,
} from './payment.commands';
import {
  AmountMismatch,
  CurrencyMismatch,
  InvalidAmount,
  PaymentAlreadyCaptured,
  PaymentIntentConflict,
  PaymentNotFound,
  PaymentNotOpen,
  ProviderReferenceMismatch,
  WrongPaymentMethod,
} from './payment.errors';
import type { PaymentEvent, PaymentRef } from './payment.events';
import { evolvePayment } from './payment.evolve';
import { isOnlineMethod, METHOD_POLICIES } from './payment-method';
import type { OpenPaymentState, PaymentState } from './payment.state';
import { decideRefundResult, decideRequestRefund } from './refund.decide';

/**
 * The Payment aggregate (R-PAY-1…4). One stream per payment; every rule below is pure and
 * takes its time from the command. Repeated results (duplicate webhooks, redelivered events,
 * a second capture) decide nothing, so a retry can never charge or refund twice.
 */
export const paymentDecider: Decider<PaymentCommand, PaymentEvent, PaymentState> = {
  initialState: () => ({ status: 'none' }),
  decide: decidePayment,
  evolve: evolvePayment,
};

function decidePayment(command: PaymentCommand, state: PaymentState): PaymentEvent[] {
  if (command.type === 'CreatePaymentIntent') return createIntent(command, state);
  if (state.status === 'none') throw new PaymentNotFound('(unknown)');
  switch (command.type) {
    case 'RecordProviderRegistration':
      return recordRegistration(command, state);
    case 'RecordProviderResult':
      return recordProviderResult(command, state);
    case 'TimeOutPayment':
      return timeOut(command, state);
    case 'VoidPayment':
      return voidPayment(command, state);
    case 'SettleCashOnDelivery':
      return settleCashOnDelivery(command, state);
    case 'RecordCashReceived':
      return recordCashReceived(command, state);
    case 'RequestRefund':
      return decideRequestRefund(command, state);
    case 'RecordRefundResult':
      return decideRefundResult(command, state);
    default:
      return assertNever(command);
  }
}

export function paymentRef(state: OpenPaymentState): PaymentRef {
  return {
    paymentId: state.paymentId,
    orderId: state.orderId,
    method: state.method,
    amount: state.amount,
  };
}

export function isWholeMinorUnits(amountMinor: number): boolean {
  return Number.isSafeInteger(amountMinor) && amountMinor >= 0;
}

function createIntent(command: CreatePaymentIntent, state: PaymentState): PaymentEvent[] {
  const { paymentId, orderId, customerId, method, amount, expiresAt } = command.data;
  if (!isWholeMinorUnits(amount.amountMinor)) throw new InvalidAmount(amount);
  if (state.status !== 'none') {
    const same =
      state.orderId === orderId &&
      state.amount.amountMinor === amount.amountMinor &&
      state.amount.currency === amount.currency;
    if (same) return [];
    throw new PaymentIntentConflict(paymentId);
  }
  return [
    {
      type: 'PaymentIntentCreated',
      data: {
        paymentId,
        orderId,
        method,
        amount,
        customerId,
        customerAction: METHOD_POLICIES[method].customerAction,
        expiresAt,
      },
    },
  ];
}

function recordRegistration(
  command: RecordProviderRegistration,
  state: OpenPaymentState,
): PaymentEvent[] {
  if (!isOnlineMethod(state.method)) {
    throw new WrongPaymentMethod(state.paymentId, state.method, 'an online method');
  }
  const { providerReference, payUrl, qrPayload } = command.data;
  if (state.providerReference === providerReference) return [];
  if (state.providerReference !== undefined) {
    throw new ProviderReferenceMismatch(state.providerReference, providerReference);
  }
  return [
    {
      type: 'PaymentRegisteredWithProvider',
      data: {
        paymentId: state.paymentId,
        providerReference,
        ...(payUrl === undefined ? {} : { payUrl }),
        ...(qrPayload === undefined ? {} : { qrPayload }),
      },
    },
  ];
}

function recordProviderResult(
  command: RecordProviderResult,
  state: OpenPaymentState,
): PaymentEvent[] {
  if (!isOnlineMethod(state.method)) {
    throw new WrongPaymentMethod(state.paymentId, state.method, 'an online method');
  }
  const result = command.data;
  if (
    state.providerReference !== undefined &&
    state.providerReference !== result.providerReference
  ) {
    throw new ProviderReferenceMismatch(state.providerReference, result.providerReference);
  }
  if (result.amount.currency !== state.amount.currency) {
    throw new CurrencyMismatch(state.amount.currency, result.amount.currency);
  }
  if (result.outcome === 'failed') {
    if (state.status !== 'pending') return [];
    return [
      {
        type: 'PaymentFailed',
        data: {
          ...paymentRef(state),
          reason: result.reason,
          ...(result.providerCode === undefined ? {} : { providerCode: result.providerCode }),
        },
      },
    ];
  }
  if (result.amount.amountMinor !== state.amount.amountMinor) {
    throw new AmountMismatch(state.amount, result.amount);
  }
  const afterClose = isClosed(state.status);
  const providerReference = result.providerReference;
  const events: PaymentEvent[] = [];
  if (state.status === 'pending' || (afterClose && !state.wasAuthorised)) {
    events.push({
      type: 'PaymentAuthorised',
      data: { ...paymentRef(state), providerReference, afterClose },
    });
  }
  if (result.outcome === 'captured' && state.status !== 'captured') {
    events.push({
      type: 'PaymentCaptured',
      data: {
        ...paymentRef(state),
        providerReference,
        capturedTotal: state.amount,
        afterClose: afterClose || state.afterClose,
      },
    });
  }
  return events;
}

function isClosed(status: OpenPaymentState['status']): boolean {
  return status === 'failed' || status === 'timed-out' || status === 'voided';
}

function timeOut(command: TimeOutPayment, state: OpenPaymentState): PaymentEvent[] {
  // Cash on delivery waits for the carrier, however long delivery takes.
  if (state.status !== 'pending' || state.method === 'cash-on-delivery') return [];
  if (Date.parse(command.data.now) < Date.parse(state.expiresAt)) return [];
  return [{ type: 'PaymentTimedOut', data: { ...paymentRef(state), expiredAt: state.expiresAt } }];
}

function voidPayment(command: VoidPayment, state: OpenPaymentState): PaymentEvent[] {
  if (state.status === 'captured') throw new PaymentAlreadyCaptured(state.paymentId);
  if (state.status !== 'pending' && state.status !== 'authorised') return [];
  return [{ type: 'PaymentVoided', data: { ...paymentRef(state), reason: command.data.reason } }];
}

function settleCashOnDelivery(
  command: SettleCashOnDelivery,
  state: OpenPaymentState,
): PaymentEvent[] {
  if (state.method !== 'cash-on-delivery') {
    throw new WrongPaymentMethod(state.paymentId, state.method, 'cash-on-delivery');
  }
  if (state.status === 'captured') return [];
  if (state.status !== 'pending') throw new PaymentNotOpen(state.paymentId, state.status);
  return [
    {
      type: 'CashOnDeliverySettled',
      data: {
        ...paymentRef(state),
        shipmentId: command.data.shipmentId,
        carrier: command.data.carrier,
        capturedTotal: state.amount,
      },
    },
  ];
}

function recordCashReceived(command: RecordCashReceived, state: OpenPaymentState): PaymentEvent[] {
  if (state.method !== 'cash-in-store') {
    throw new WrongPaymentMethod(state.paymentId, state.method, 'cash-in-store');
  }
  const { amount, receiptReference, storeId } = command.data;
  if (amount.currency !== state.amount.currency) {
    throw new CurrencyMismatch(state.amount.currency, amount.currency);
  }
  if (amount.amountMinor !== state.amount.amountMinor) {
    throw new AmountMismatch(state.amount, amount);
  }
  if (state.status === 'captured' && state.providerReference === receiptReference) return [];
  if (state.status !== 'pending') throw new PaymentNotOpen(state.paymentId, state.status);
  return [
    {
      type: 'CashReceivedInStore',
      data: {
        ...paymentRef(state),
        receiptReference,
        ...(storeId === undefined ? {} : { storeId }),
        capturedTotal: state.amount,
      },
    },
  ];
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value ${JSON.stringify(value)}`);
}
