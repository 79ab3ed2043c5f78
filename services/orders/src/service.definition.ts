import { SERVICE_CATALOG, Topics } from '@fulfil/contracts';
import { connectInbox } from '@fulfil/messaging';
import type { ServiceDefinition } from '@fulfil/service-kit';
import { OrdersModule } from './app.module';
import { changesNoOrder } from './application/order-process.kafka.controller';
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
    'orders:read': 'Read orders, their timelines and delivery addresses.',
    'orders:write': 'Place and cancel orders.',
  },
  // The order process manager answers inventory's and payments' events (consumer group "orders").
  configure: (app) =>
    connectInbox(app, { topics: [Topics.inventory, Topics.payments], skip: changesNoOrder }),
};
