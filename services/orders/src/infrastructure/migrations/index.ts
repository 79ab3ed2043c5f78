import { EVENT_SOURCING_MIGRATIONS } from '@fulfil/messaging';
import {
  IDEMPOTENCY_MIGRATIONS,
  IdempotencyKeysPackedForAnswers1796700000000,
} from '@fulfil/service-kit';
import { CreateOrderTables1733000000000 } from './create-order-tables.migration';

/** TypeORM migrations of the orders database, in order; run at start-up by the service kit. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const ordersMigrations: Function[] = [
  ...EVENT_SOURCING_MIGRATIONS,
  ...IDEMPOTENCY_MIGRATIONS,
  CreateOrderTables1733000000000,
  // POST /orders takes its keys with its answers (claimWithAnswer): rows are not updated.
  IdempotencyKeysPackedForAnswers1796700000000,
];
