import type { ServiceDefinition } from '@fulfil/service-kit';
import { afterSalesDefinition } from '../../services/after-sales/src/service.definition';
import { inventoryDefinition } from '../../services/inventory/src/service.definition';
import { logisticsDefinition } from '../../services/logistics/src/service.definition';
import { notificationsDefinition } from '../../services/notifications/src/service.definition';
import { ordersDefinition } from '../../services/orders/src/service.definition';
import { paymentsDefinition } from '../../services/payments/src/service.definition';

/** Every service of the platform, in catalog order (tools and cross-service tests use it). */
export const SERVICE_DEFINITIONS: readonly ServiceDefinition[] = [
  ordersDefinition,
  inventoryDefinition,
  paymentsDefinition,
  logisticsDefinition,
  afterSalesDefinition,
  notificationsDefinition,
];
