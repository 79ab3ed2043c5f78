import { EVENT_SOURCING_MIGRATIONS } from '@fulfil/messaging';
import { IDEMPOTENCY_MIGRATIONS } from '@fulfil/service-kit';
import { CreateInventoryTables1733100000000 } from './create-inventory-tables.migration';

/** TypeORM migrations of the inventory database, in order; run at start-up by the service kit. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const inventoryMigrations: Function[] = [
  ...EVENT_SOURCING_MIGRATIONS,
  ...IDEMPOTENCY_MIGRATIONS,
  CreateInventoryTables1733100000000,
];
