import { isDomainError } from '@fulfil/decider';
import {
  PROBLEM_TYPE_BASE,
  ProblemException,
  ProblemTypes,
  ValidationProblem,
} from '@fulfil/service-kit';
import { IdempotencyKeyReusedForOtherOrder } from '../application/place-order.use-case';
import { InvalidCursor } from '../application/order.queries';
import { InvalidOrderInput, OrderErrorCodes } from '../domain/order.errors';

/** Problem types of the orders API (besides the kit's). */
export const OrderProblemTypes = {
  orderNotFound: `${PROBLEM_TYPE_BASE}order-not-found`,
  orderAlreadyCancelled: `${PROBLEM_TYPE_BASE}order-already-cancelled`,
  orderAlreadyShipped: `${PROBLEM_TYPE_BASE}order-already-shipped`,
} as const;

export const orderNotFound = (orderId: string): ProblemException =>
  new ProblemException({
    type: OrderProblemTypes.orderNotFound,
    title: 'Order not found',
    status: 404,
    detail: `There is no order ${orderId}.`,
    code: OrderErrorCodes.notFound,
  });

/** Domain and use-case errors → problem details; anything else is rethrown (a bug → 500). */
export function toOrderProblem(error: unknown): unknown {
  if (error instanceof InvalidOrderInput) {
    return new ValidationProblem([{ field: error.field, message: error.message }]);
  }
  if (error instanceof IdempotencyKeyReusedForOtherOrder) {
    return new ProblemException({
      type: ProblemTypes.idempotencyKeyReused,
      title: 'Idempotency-Key reused',
      status: 422,
      detail:
        'This Idempotency-Key already placed a different order; use a new key for a new order.',
      header: 'Idempotency-Key',
    });
  }
  if (error instanceof InvalidCursor) {
    return new ValidationProblem([{ field: 'cursor', message: error.message }]);
  }
  if (!isDomainError(error)) return error;
  const orderId = String(error.details['orderId'] ?? '');
  switch (error.code) {
    case OrderErrorCodes.notFound:
      return orderNotFound(orderId);
    case OrderErrorCodes.alreadyCancelled:
      return new ProblemException({
        type: OrderProblemTypes.orderAlreadyCancelled,
        title: 'Order already cancelled',
        status: 409,
        detail: error.message,
        code: error.code,
      });
    case OrderErrorCodes.alreadyShipped:
      return new ProblemException({
        type: OrderProblemTypes.orderAlreadyShipped,
        title: 'Order already shipped',
        status: 409,
        detail: `${error.message}: it can no longer be cancelled; open an after-sales case instead.`,
        code: error.code,
      });
    default:
      return error;
  }
}
