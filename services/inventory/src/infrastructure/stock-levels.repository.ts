import { runWrites, type Queryable, type Write } from '@fulfil/event-store';
import type { SkuStockState } from '../domain/stock/sku-stock.state';
import type { LocationType } from '../domain/stock/stock.types';

/** One row of the availability read model. */
export interface StockLevelRow {
  readonly skuId: string;
  readonly locationId: string;
  readonly locationType: LocationType;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
  readonly lowStockThreshold: number | null;
  readonly updatedAt: Date;
}

interface Row {
  sku_id: string;
  location_id: string;
  location_type: LocationType;
  on_hand: number;
  reserved: number;
  available: number;
  low_stock_threshold: number | null;
  updated_at: Date;
}

/** Some locations of a SKU, to be written as the aggregate's `state` has them. */
export interface SkuLevels {
  readonly skuId: string;
  readonly state: SkuStockState;
  readonly locationIds: Iterable<string>;
}

/**
 * The write of the given SKUs' locations to `stock_levels`, one statement for all of them (for
 * `runWrites`); undefined when there is no location. Each (SKU, location) must appear once.
 */
export function stockLevelsWrite(levels: readonly SkuLevels[]): Write | undefined {
  const rows = levels.flatMap(({ skuId, state, locationIds }) =>
    [...new Set(locationIds)].map((locationId) => ({
      skuId,
      locationId,
      ...state.locations[locationId]!,
    })),
  );
  if (rows.length === 0) return undefined;
  return {
    text: `INSERT INTO stock_levels
         (sku_id, location_id, location_type, on_hand, reserved, low_stock_threshold, updated_at)
       SELECT r.sku_id, r.location_id, r.location_type, r.on_hand, r.reserved, r.threshold, now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[])
              AS r(sku_id, location_id, location_type, on_hand, reserved, threshold)
       ON CONFLICT (sku_id, location_id) DO UPDATE
         SET on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved,
             low_stock_threshold = EXCLUDED.low_stock_threshold, updated_at = now()`,
    values: [
      rows.map((r) => r.skuId),
      rows.map((r) => r.locationId),
      rows.map((r) => r.locationType),
      rows.map((r) => r.onHand),
      rows.map((r) => r.reserved),
      rows.map((r) => r.lowStockThreshold),
    ],
  };
}

/**
 * `stock_levels`, the availability read model. Written in the transaction that appends the
 * SKU's events (an inline projection: current the moment the change commits); its CHECK
 * constraints refuse negative availability whatever the code above them does.
 */
export class StockLevelsRepository {
  /** Writes the given locations of a SKU as the aggregate's state has them. */
  async save(
    client: Queryable,
    skuId: string,
    state: SkuStockState,
    locationIds: Iterable<string>,
  ): Promise<void> {
    await runWrites(client, [stockLevelsWrite([{ skuId, state, locationIds }])]);
  }

  /** Every location's level of the given SKUs, by SKU then location. */
  async findBySkus(db: Queryable, skuIds: readonly string[]): Promise<StockLevelRow[]> {
    const { rows } = await db.query<Row>(
      `SELECT sku_id, location_id, location_type, on_hand, reserved, available,
              low_stock_threshold, updated_at
         FROM stock_levels WHERE sku_id = ANY($1::text[])
        ORDER BY sku_id, location_id`,
      [[...skuIds]],
    );
    return rows.map((row) => ({
      skuId: row.sku_id,
      locationId: row.location_id,
      locationType: row.location_type,
      onHand: row.on_hand,
      reserved: row.reserved,
      available: row.available,
      lowStockThreshold: row.low_stock_threshold,
      updatedAt: row.updated_at,
    }));
  }
}
