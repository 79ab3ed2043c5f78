/** Plain data shared by the SKU stock and reservation aggregates of the inventory context. */

/** Where stock is kept: a warehouse or a physical store (R-INV-1). */
export type LocationType = 'warehouse' | 'store';

/** Units of one SKU held at one location for one order line. */
export interface StockAllocation {
  readonly lineId: string;
  readonly skuId: string;
  readonly locationId: string;
  readonly locationType: LocationType;
  readonly quantity: number;
}

/**
 * A line that could not be reserved in full: `requested` is the line's quantity and `available`
 * how much of it was reserved (what the locations had for it), so the shortfall is the difference.
 */
export interface LineShortage {
  readonly lineId: string;
  readonly skuId: string;
  readonly requested: number;
  readonly available: number;
}

/** One order line to reserve. */
export interface LineRequest {
  readonly lineId: string;
  readonly skuId: string;
  readonly quantity: number;
}

/** How lines are spread over locations (README, "Allocation policy"). */
export interface AllocationPolicy {
  /** May one line be served from several locations when no single one has enough? */
  readonly split: boolean;
  /**
   * Which location serves a whole line when the preferred one cannot: the one with the most
   * available, or warehouses before stores (then the most available).
   */
  readonly preference: 'most-available' | 'warehouses-first';
}

/** Why reserved stock goes back to available. */
export type ReleaseReason =
  | 'order-cancelled'
  | 'lines-cancelled'
  | 'payment-failed'
  | 'payment-timed-out'
  | 'reservation-expired';

/** Why on-hand stock was corrected. */
export type AdjustmentReason = 'count-correction' | 'damaged' | 'lost' | 'found' | 'expired';
