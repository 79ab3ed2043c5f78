import { SERVICE_CATALOG } from '@fulfil/contracts';
import type { ServiceDefinition } from '@fulfil/service-kit';
import { NotificationsModule } from './app.module';
import { notificationsMigrations } from './infrastructure/migrations';

/** The notifications service as the service kit runs it. */
export const notificationsDefinition: ServiceDefinition = {
  catalog: SERVICE_CATALOG.notifications,
  title: 'Notifications service',
  description:
    'Tells customers proactively, projected from events: order confirmation, shipment notice, a daily in-transit update before 09:00 in their time zone, delivery milestones, apologies with a new estimate on delays, a post-delivery survey and after-sales progress — by SMS, e-mail, app push or WeChat, respecting preferences and quiet hours, exactly once per milestone — and alerts customer service (R-NOT-1…10).',
  module: NotificationsModule,
  migrations: notificationsMigrations,
  scopes: {
    'notifications:read': 'Read notifications data.',
    'notifications:write': 'Change notifications data.',
  },
};
