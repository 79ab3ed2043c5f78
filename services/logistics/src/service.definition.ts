import { SERVICE_CATALOG } from '@fulfil/contracts';
import type { ServiceDefinition } from '@fulfil/service-kit';
import { LogisticsModule } from './app.module';
import { logisticsMigrations } from './infrastructure/migrations';

/** The logistics service as the service kit runs it. */
export const logisticsDefinition: ServiceDefinition = {
  catalog: SERVICE_CATALOG.logistics,
  title: 'Logistics service',
  description:
    'Tracks shipments per order (split shipments allowed) with carrier, tracking number, service level and a delivery plan fitted to the goods (cold chain, home delivery with installation, on-site inspection), normalises signed carrier webhooks into one status model, keeps estimated delivery dates current, detects delays and exceptions before the customer does, and books pickups for returns, exchanges and repairs (R-LOG-1…7).',
  module: LogisticsModule,
  migrations: logisticsMigrations,
  scopes: {
    'logistics:read': 'Read logistics data.',
    'logistics:write': 'Change logistics data.',
  },
};
