import { SERVICE_CATALOG } from '@fulfil/contracts';
import type { ServiceDefinition } from '@fulfil/service-kit';
import { OrdersModule } from './app.module';
import { ordersMigrations } from './infrastructure/migrations';

/** The orders service as the service kit runs it. */
export const ordersDefinition: ServiceDefinition = {
  catalog: SERVICE_CATALOG.orders,
  title: 'Orders service',
  description:
    "Places orders from every channel (web, app, mini-program, store POS) — one idempotent call with items, delivery address, payment method, customer and channel — and drives each order's event-sourced lifecycle from placement through stock reservation, payment, confirmation, shipment and delivery to completion, with cancellation and compensation, and an order history with its full timeline for every internal system (R-ORD-1…5).",
  module: OrdersModule,
  migrations: ordersMigrations,
  scopes: {
    'orders:read': 'Read orders data.',
    'orders:write': 'Change orders data.',
  },
};
