import { SERVICE_CATALOG, Topics } from '@fulfil/contracts';
import { connectInbox } from '@fulfil/messaging';
import type { ServiceDefinition } from '@fulfil/service-kit';
import { PaymentsModule } from './app.module';
import { paymentsMigrations } from './infrastructure/migrations';

/** The payments service as the service kit runs it. */
export const paymentsDefinition: ServiceDefinition = {
  catalog: SERVICE_CATALOG.payments,
  title: 'Payments service',
  description:
    "Takes payments by WeChat Pay, Alipay, bank card, cash on delivery and cash in store, verifies the providers' signed result webhooks idempotently, and issues full, partial and price-difference refunds that never exceed what was captured; amounts are integer minor units with a currency and a double submit never charges twice (R-PAY-1…4). Without PAYMENT_GATEWAY_URL it runs against a built-in SIMULATED provider.",
  module: PaymentsModule,
  migrations: paymentsMigrations,
  scopes: {
    'payments:read': 'Read payments, their refunds and history.',
    'payments:write': 'Refund payments and record cash taken in store.',
  },
  configure: (app) => connectInbox(app, { topics: [Topics.orders, Topics.logistics] }),
};
