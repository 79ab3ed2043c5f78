import { DomainError } from '@fulfil/decider';
import { PROBLEM_TYPE_BASE, ProblemException } from '@fulfil/service-kit';
import { PaymentErrorCodes } from '../domain/payment.errors';

const STATUS: Readonly<Record<string, number>> = {
  [PaymentErrorCodes.notFound]: 404,
  [PaymentErrorCodes.invalidAmount]: 422,
  [PaymentErrorCodes.currencyMismatch]: 422,
  [PaymentErrorCodes.amountMismatch]: 422,
  [PaymentErrorCodes.refundExceedsCaptured]: 422,
  [PaymentErrorCodes.fullRefundAmount]: 422,
  [PaymentErrorCodes.notCaptured]: 409,
  [PaymentErrorCodes.refundIdReused]: 409,
  [PaymentErrorCodes.wrongMethod]: 409,
  [PaymentErrorCodes.notOpen]: 409,
  [PaymentErrorCodes.alreadyCaptured]: 409,
};

/** `PAYMENT.REFUND_EXCEEDS_CAPTURED` → `https://fulfil.dev/problems/payment-refund-exceeds-captured`. */
export function problemType(code: string): string {
  return `${PROBLEM_TYPE_BASE}${code.toLowerCase().replace(/[._]/g, '-')}`;
}

/** Maps a payment rule breach to problem details (with its stable `code`); rethrows anything else. */
export function toProblem(error: unknown): never {
  if (error instanceof DomainError && STATUS[error.code] !== undefined) {
    throw new ProblemException({
      type: problemType(error.code),
      title: error.name.replace(/([a-z])([A-Z])/g, '$1 $2'),
      status: STATUS[error.code]!,
      detail: error.message,
      code: error.code,
      details: error.details,
    });
  }
  throw error;
}
