import type { Queryable, Write } from '@fulfil/event-store';

/** Units ordered of one SKU in one delivery region over a period. */
export interface RegionalDemand {
  readonly regionCode: string;
  readonly units: number;
  readonly orders: number;
}

/**
 * `regional_demand`: units ordered per SKU, delivery region and day, counted from OrderPlaced
 * in the inbox transaction, so stock can be positioned ahead of peaks (R-INV-6).
 */
export class RegionalDemandRepository {
  /** Counts one order's lines: a `Write` for the transaction that reserves for the order. */
  record(
    regionCode: string,
    day: string,
    lines: readonly { skuId: string; quantity: number }[],
  ): Write {
    const bySku = new Map<string, number>();
    for (const line of lines) bySku.set(line.skuId, (bySku.get(line.skuId) ?? 0) + line.quantity);
    return {
      text: `INSERT INTO regional_demand (sku_id, region_code, day, units, orders)
             SELECT d.sku_id, $1, $2::date, d.units, 1
               FROM unnest($3::text[], $4::bigint[]) AS d(sku_id, units)
             ON CONFLICT (sku_id, region_code, day) DO UPDATE
               SET units = regional_demand.units + EXCLUDED.units,
                   orders = regional_demand.orders + 1`,
      values: [regionCode, day, [...bySku.keys()], [...bySku.values()]],
    };
  }

  /** Demand for a SKU per region since `fromDay` (inclusive), largest first. */
  async forSku(db: Queryable, skuId: string, fromDay: string): Promise<RegionalDemand[]> {
    const { rows } = await db.query<{ region_code: string; units: string; orders: string }>(
      `SELECT region_code, sum(units)::text AS units, sum(orders)::text AS orders
         FROM regional_demand WHERE sku_id = $1 AND day >= $2::date
        GROUP BY region_code ORDER BY sum(units) DESC, region_code`,
      [skuId, fromDay],
    );
    return rows.map((row) => ({
      regionCode: row.region_code,
      units: Number(row.units),
      orders: Number(row.orders),
    }));
  }
}
