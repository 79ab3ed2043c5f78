import { SERVICE_CATALOG } from '@fulfil/contracts';
import type { ServiceDefinition } from '@fulfil/service-kit';
import { AfterSalesModule } from './app.module';
import { afterSalesMigrations } from './infrastructure/migrations';

/** The after-sales service as the service kit runs it. */
export const afterSalesDefinition: ServiceDefinition = {
  catalog: SERVICE_CATALOG['after-sales'],
  title: 'After-sales service',
  description:
    'Handles after-sales cases — return and refund, refund only, exchange, repair, price-difference refund, usage questions — online or in a store, with first-response and resolution deadlines whose breaches are alerted, opens follow-up cases from negative feedback, and drives pickups, refunds, restocking and replacement shipments in the other services through events (R-AS-1…5).',
  module: AfterSalesModule,
  migrations: afterSalesMigrations,
  scopes: {
    'after-sales:read': 'Read after-sales data.',
    'after-sales:write': 'Change after-sales data.',
  },
};
