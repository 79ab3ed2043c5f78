import { Topics, TopicName } from './topics';

/** The platform's services: one per bounded context, each owning a database and a topic. */
export const SERVICE_NAMES = [
  'orders',
  'inventory',
  'payments',
  'logistics',
  'after-sales',
  'notifications',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceCatalogEntry {
  readonly name: ServiceName;
  /** HTTP port when PORT is not set (local start; containers use the same). */
  readonly defaultPort: number;
  /** The topic it publishes its integration events to. */
  readonly topic: TopicName;
  /** Its own PostgreSQL database (never read by another service). */
  readonly database: string;
}

/** Where each service listens, publishes and stores: the single source for manifests and tools. */
export const SERVICE_CATALOG: Readonly<Record<ServiceName, ServiceCatalogEntry>> = {
  orders: { name: 'orders', defaultPort: 3001, topic: Topics.orders, database: 'orders' },
  inventory: {
    name: 'inventory',
    defaultPort: 3002,
    topic: Topics.inventory,
    database: 'inventory',
  },
  payments: { name: 'payments', defaultPort: 3003, topic: Topics.payments, database: 'payments' },
  logistics: {
    name: 'logistics',
    defaultPort: 3004,
    topic: Topics.logistics,
    database: 'logistics',
  },
  'after-sales': {
    name: 'after-sales',
    defaultPort: 3005,
    topic: Topics.afterSales,
    database: 'after_sales',
  },
  notifications: {
    name: 'notifications',
    defaultPort: 3006,
    topic: Topics.notifications,
    database: 'notifications',
  },
};
