import { DomainError } from '@fulfil/decider';

/** The SKU has never had stock anywhere: nothing to adjust, reserve or configure. */
export class SkuUnknown extends DomainError {
  constructor(skuId: string) {
    super('INVENTORY.SKU_UNKNOWN', `SKU ${skuId} is unknown (no stock was ever received)`, {
      skuId,
    });
  }
}

/** An adjustment would take on-hand stock below what is reserved (or below zero). */
export class AdjustmentBelowReserved extends DomainError {
  constructor(details: {
    skuId: string;
    locationId: string;
    onHand: number;
    reserved: number;
    delta: number;
  }) {
    super(
      'INVENTORY.ADJUSTMENT_BELOW_RESERVED',
      `Adjusting ${details.skuId} at ${details.locationId} by ${details.delta} would leave ${details.onHand + details.delta} on hand, below the ${details.reserved} reserved`,
      details,
    );
  }
}

/** Nothing of the requested SKU is available at any location. */
export class InsufficientStock extends DomainError {
  constructor(skuId: string, requested: number) {
    super('INVENTORY.INSUFFICIENT_STOCK', `No stock of ${skuId} is available`, {
      skuId,
      requested,
    });
  }
}

/**
 * Releasing or committing more than a location holds reserved: the reservation and the SKU
 * disagree, which is a bug, never an expected outcome.
 */
export class ReservedStockMismatch extends DomainError {
  constructor(details: { skuId: string; locationId: string; reserved: number; quantity: number }) {
    super(
      'INVENTORY.RESERVED_STOCK_MISMATCH',
      `Location ${details.locationId} holds ${details.reserved} of ${details.skuId} reserved, not ${details.quantity}`,
      details,
    );
  }
}

/** A reservation id that was never made. */
export class ReservationNotFound extends DomainError {
  constructor(reservationId: string) {
    super('INVENTORY.RESERVATION_NOT_FOUND', `Reservation ${reservationId} does not exist`, {
      reservationId,
    });
  }
}

/** A quantity that must be a positive (or, for thresholds, non-negative) integer is not. */
export class InvalidQuantity extends DomainError {
  constructor(field: string, value: number) {
    super('INVENTORY.INVALID_QUANTITY', `${field} ${value} is not allowed`, { field, value });
  }
}
