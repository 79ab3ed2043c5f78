import type { Queryable } from '@fulfil/event-store';
import type { LocationType } from '../domain/stock/stock.types';

/** A warehouse or store stock can be kept at (R-INV-1). */
export interface Location {
  readonly locationId: string;
  readonly type: LocationType;
  readonly name: string;
  readonly regionCode: string | null;
  readonly createdAt: Date;
}

interface Row {
  location_id: string;
  location_type: LocationType;
  name: string;
  region_code: string | null;
  created_at: Date;
}

const toLocation = (row: Row): Location => ({
  locationId: row.location_id,
  type: row.location_type,
  name: row.name,
  regionCode: row.region_code,
  createdAt: row.created_at,
});

/** `locations`: reference data, plain rows (nothing to replay about a warehouse's name). */
export class LocationsRepository {
  /** Inserts the location; returns false when the id exists already (nothing written). */
  async insert(
    db: Queryable,
    location: Omit<Location, 'createdAt'>,
  ): Promise<{ created: boolean; location: Location }> {
    const inserted = await db.query<Row>(
      `INSERT INTO locations (location_id, location_type, name, region_code)
       VALUES ($1, $2, $3, $4) ON CONFLICT (location_id) DO NOTHING
       RETURNING location_id, location_type, name, region_code, created_at`,
      [location.locationId, location.type, location.name, location.regionCode],
    );
    if (inserted.rows[0]) return { created: true, location: toLocation(inserted.rows[0]) };
    return { created: false, location: (await this.find(db, location.locationId))! };
  }

  async find(db: Queryable, locationId: string): Promise<Location | undefined> {
    const { rows } = await db.query<Row>(
      `SELECT location_id, location_type, name, region_code, created_at
         FROM locations WHERE location_id = $1`,
      [locationId],
    );
    return rows[0] && toLocation(rows[0]);
  }

  async list(db: Queryable): Promise<Location[]> {
    const { rows } = await db.query<Row>(
      `SELECT location_id, location_type, name, region_code, created_at
         FROM locations ORDER BY location_id`,
    );
    return rows.map(toLocation);
  }
}
