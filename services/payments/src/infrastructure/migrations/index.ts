import { EVENT_SOURCING_MIGRATIONS } from '@fulfil/messaging';
import { IDEMPOTENCY_MIGRATIONS } from '@fulfil/service-kit';
import { CreatePaymentsTables1732700000000 } from './create-payments-tables.migration';
import { DropPaymentIdUnique1733400000000 } from './drop-payment-id-unique.migration';

/** TypeORM migrations of the payments database, in order; run at start-up by the service kit. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const paymentsMigrations: Function[] = [
  ...EVENT_SOURCING_MIGRATIONS,
  ...IDEMPOTENCY_MIGRATIONS,
  CreatePaymentsTables1732700000000,
  DropPaymentIdUnique1733400000000,
];
