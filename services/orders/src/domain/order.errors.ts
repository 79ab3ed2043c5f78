import { DomainError } from '@fulfil/decider';

/**
 * Rule breaches of the Order decider, with stable codes. Input errors carry the offending
 * `field` (as a request path, e.g. `lines[1].unitPrice.currency`) so the API can name it.
 */
export const OrderErrorCodes = {
  noLines: 'ORDER.NO_LINES',
  invalidLine: 'ORDER.INVALID_LINE',
  invalidAmount: 'ORDER.INVALID_AMOUNT',
  currencyMismatch: 'ORDER.CURRENCY_MISMATCH',
  amountTooLarge: 'ORDER.AMOUNT_TOO_LARGE',
  discountExceedsTotal: 'ORDER.DISCOUNT_EXCEEDS_TOTAL',
  storeRequired: 'ORDER.STORE_REQUIRED',
  alreadyPlaced: 'ORDER.ALREADY_PLACED',
  notFound: 'ORDER.NOT_FOUND',
  alreadyCancelled: 'ORDER.ALREADY_CANCELLED',
  alreadyShipped: 'ORDER.ALREADY_SHIPPED',
  notReserved: 'ORDER.STOCK_NOT_RESERVED',
  notConfirmed: 'ORDER.NOT_CONFIRMED',
} as const;

/** An order that cannot be placed as given: the API answers 400 naming `field`. */
export abstract class InvalidOrderInput extends DomainError {
  protected constructor(code: string, field: string, message: string) {
    super(code, message, { field });
  }

  get field(): string {
    return this.details['field'] as string;
  }
}

export class OrderHasNoLines extends InvalidOrderInput {
  constructor() {
    super(OrderErrorCodes.noLines, 'lines', 'an order needs at least one line');
  }
}

export class InvalidOrderLine extends InvalidOrderInput {
  constructor(field: string, problem: string) {
    super(OrderErrorCodes.invalidLine, field, `${field} ${problem}`);
  }
}

export class InvalidAmount extends InvalidOrderInput {
  constructor(field: string) {
    super(
      OrderErrorCodes.invalidAmount,
      field,
      `${field} must be a non-negative integer (minor units)`,
    );
  }
}

export class CurrencyMismatch extends InvalidOrderInput {
  constructor(field: string, expected: string, actual: string) {
    super(
      OrderErrorCodes.currencyMismatch,
      field,
      `${field} is ${actual} but the order is in ${expected}: all amounts of an order share one currency`,
    );
  }
}

export class OrderAmountTooLarge extends InvalidOrderInput {
  constructor(field: string) {
    super(OrderErrorCodes.amountTooLarge, field, `${field} makes an amount too large to represent`);
  }
}

export class DiscountExceedsTotal extends InvalidOrderInput {
  constructor() {
    super(
      OrderErrorCodes.discountExceedsTotal,
      'discount.amountMinor',
      'discount exceeds the subtotal plus shipping',
    );
  }
}

export class StoreRequired extends InvalidOrderInput {
  constructor() {
    super(OrderErrorCodes.storeRequired, 'storeId', 'cash-in-store needs the storeId of the store');
  }
}

export class OrderAlreadyPlaced extends DomainError {
  constructor(orderId: string) {
    super(OrderErrorCodes.alreadyPlaced, `order ${orderId} has already been placed`, { orderId });
  }
}

export class OrderNotFound extends DomainError {
  constructor(orderId: string) {
    super(OrderErrorCodes.notFound, `order ${orderId} does not exist`, { orderId });
  }
}

export class OrderAlreadyCancelled extends DomainError {
  constructor(orderId: string) {
    super(OrderErrorCodes.alreadyCancelled, `order ${orderId} is already cancelled`, { orderId });
  }
}

export class OrderAlreadyShipped extends DomainError {
  constructor(orderId: string, status: string) {
    super(OrderErrorCodes.alreadyShipped, `order ${orderId} has already shipped (${status})`, {
      orderId,
      status,
    });
  }
}

/** A payment arrived before the order's stock was reserved — payments never does that. */
export class OrderStockNotReserved extends DomainError {
  constructor(orderId: string, status: string) {
    super(OrderErrorCodes.notReserved, `order ${orderId} has no stock reserved yet (${status})`, {
      orderId,
      status,
    });
  }
}

export class OrderNotConfirmed extends DomainError {
  constructor(orderId: string, status: string) {
    super(OrderErrorCodes.notConfirmed, `order ${orderId} is not confirmed (${status})`, {
      orderId,
      status,
    });
  }
}
