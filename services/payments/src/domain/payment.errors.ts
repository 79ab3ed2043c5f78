import { DomainError } from '@fulfil/decider';
import type { Money } from './money';

/** Stable codes of the payment rules; the HTTP layer maps them to problem details. */
export const PaymentErrorCodes = {
  notFound: 'PAYMENT.NOT_FOUND',
  intentConflict: 'PAYMENT.INTENT_CONFLICT',
  invalidAmount: 'PAYMENT.INVALID_AMOUNT',
  currencyMismatch: 'PAYMENT.CURRENCY_MISMATCH',
  amountMismatch: 'PAYMENT.AMOUNT_MISMATCH',
  providerReferenceMismatch: 'PAYMENT.PROVIDER_REFERENCE_MISMATCH',
  notCaptured: 'PAYMENT.NOT_CAPTURED',
  refundExceedsCaptured: 'PAYMENT.REFUND_EXCEEDS_CAPTURED',
  fullRefundAmount: 'PAYMENT.FULL_REFUND_AMOUNT',
  refundIdReused: 'PAYMENT.REFUND_ID_REUSED',
  unknownRefund: 'PAYMENT.UNKNOWN_REFUND',
  wrongMethod: 'PAYMENT.WRONG_METHOD',
  notOpen: 'PAYMENT.NOT_OPEN',
  alreadyCaptured: 'PAYMENT.ALREADY_CAPTURED',
} as const;

export class PaymentNotFound extends DomainError {
  constructor(paymentId: string) {
    super(PaymentErrorCodes.notFound, `Payment ${paymentId} does not exist`, { paymentId });
  }
}

export class PaymentIntentConflict extends DomainError {
  constructor(paymentId: string) {
    super(
      PaymentErrorCodes.intentConflict,
      `Payment ${paymentId} already exists for another order or amount`,
      { paymentId },
    );
  }
}

export class InvalidAmount extends DomainError {
  constructor(amount: Money) {
    super(
      PaymentErrorCodes.invalidAmount,
      `Amount must be a positive integer of minor units, got ${amount.amountMinor}`,
      { amountMinor: amount.amountMinor },
    );
  }
}

export class CurrencyMismatch extends DomainError {
  constructor(expected: string, actual: string) {
    super(PaymentErrorCodes.currencyMismatch, `The payment is in ${expected}, not ${actual}`, {
      expected,
      actual,
    });
  }
}

export class AmountMismatch extends DomainError {
  constructor(expected: Money, actual: Money) {
    super(
      PaymentErrorCodes.amountMismatch,
      `Expected ${expected.amountMinor} ${expected.currency}, got ${actual.amountMinor} ${actual.currency}`,
      { expected, actual },
    );
  }
}

export class ProviderReferenceMismatch extends DomainError {
  constructor(expected: string | undefined, actual: string) {
    super(
      PaymentErrorCodes.providerReferenceMismatch,
      `The result is for provider reference ${actual}, the payment has ${expected ?? 'none'}`,
      { expected, actual },
    );
  }
}

export class PaymentNotCaptured extends DomainError {
  constructor(paymentId: string, status: string) {
    super(
      PaymentErrorCodes.notCaptured,
      `Payment ${paymentId} has no captured money to refund (status ${status})`,
      { paymentId, status },
    );
  }
}

export class RefundExceedsCaptured extends DomainError {
  constructor(requested: Money, refundable: Money) {
    super(
      PaymentErrorCodes.refundExceedsCaptured,
      `A refund of ${requested.amountMinor} exceeds the ${refundable.amountMinor} ${refundable.currency} still refundable`,
      { requested, refundable },
    );
  }
}

export class FullRefundAmount extends DomainError {
  constructor(requested: Money, refundable: Money) {
    super(
      PaymentErrorCodes.fullRefundAmount,
      `A full refund must be the whole refundable amount ${refundable.amountMinor} ${refundable.currency}, not ${requested.amountMinor}`,
      { requested, refundable },
    );
  }
}

export class RefundIdReused extends DomainError {
  constructor(refundId: string) {
    super(
      PaymentErrorCodes.refundIdReused,
      `Refund ${refundId} was already requested with another amount or kind`,
      { refundId },
    );
  }
}

export class UnknownRefund extends DomainError {
  constructor(refundId: string) {
    super(PaymentErrorCodes.unknownRefund, `Refund ${refundId} was never requested`, {
      refundId,
    });
  }
}

export class WrongPaymentMethod extends DomainError {
  constructor(paymentId: string, method: string, expected: string) {
    super(
      PaymentErrorCodes.wrongMethod,
      `Payment ${paymentId} is paid by ${method}, not ${expected}`,
      { paymentId, method, expected },
    );
  }
}

export class PaymentNotOpen extends DomainError {
  constructor(paymentId: string, status: string) {
    super(PaymentErrorCodes.notOpen, `Payment ${paymentId} is ${status}`, { paymentId, status });
  }
}

export class PaymentAlreadyCaptured extends DomainError {
  constructor(paymentId: string) {
    super(
      PaymentErrorCodes.alreadyCaptured,
      `Payment ${paymentId} is captured: refund it instead of voiding it`,
      { paymentId },
    );
  }
}
