import { SERVICE_CATALOG, Topics } from '@fulfil/contracts';
import { connectInbox } from '@fulfil/messaging';
import type { ServiceDefinition } from '@fulfil/service-kit';
import { inboxLockKeys } from './api/inbox-lock-keys';
import { InventoryModule } from './app.module';
import { inventoryMigrations } from './infrastructure/migrations';

/** The inventory service as the service kit runs it. */
export const inventoryDefinition: ServiceDefinition = {
  catalog: SERVICE_CATALOG.inventory,
  title: 'Inventory service',
  description:
    'Keeps stock per SKU and location (warehouses and stores), reserves it at order time with expiry and never oversells, releases or commits reservations, shows real-time availability across all channels, allocates from another warehouse or store when the preferred location lacks stock, restocks inspected returns and signals low stock and regional demand (R-INV-1…6).',
  module: InventoryModule,
  migrations: inventoryMigrations,
  scopes: {
    'inventory:read': 'Read inventory data.',
    'inventory:write': 'Change inventory data.',
  },
  configure: (app) =>
    connectInbox(app, {
      topics: [Topics.orders, Topics.afterSales],
      // Handlers lock SKUs and reservations: several waiting events share a transaction only
      // when their locks are known up front, taken together in order before any handler runs
      // (no deadlocks, and no waiting after the transaction wrote).
      lockKeys: inboxLockKeys,
    }),
};
