import { DomainError } from '@fulfil/decider';

/** A location id that was never registered with `POST /locations`. */
export class LocationUnknown extends DomainError {
  constructor(locationId: string) {
    super('INVENTORY.LOCATION_UNKNOWN', `Location ${locationId} is unknown`, { locationId });
  }
}

/** A receipt id already booked for other goods (same SKU, location and quantity is a replay). */
export class ReceiptIdReused extends DomainError {
  constructor(receiptId: string) {
    super(
      'INVENTORY.RECEIPT_ID_REUSED',
      `Receipt ${receiptId} was already booked with another SKU, location or quantity`,
      { receiptId },
    );
  }
}

/** A location id registered already with another type, name or region. */
export class LocationIdTaken extends DomainError {
  constructor(locationId: string) {
    super('INVENTORY.LOCATION_ID_TAKEN', `Location ${locationId} exists with other details`, {
      locationId,
    });
  }
}
