import { Module } from '@nestjs/common';
import { EventSourcingModule } from '@fulfil/messaging';
import { LogisticsKafkaController } from './api/logistics.kafka.controller';
import { OrdersKafkaController } from './api/orders.kafka.controller';
import { PaymentsHttpController } from './api/payments.http.controller';
import { WebhooksHttpController } from './api/webhooks.http.controller';
import { MoneyBackService } from './application/money-back.service';
import { OrderEventsHandler } from './application/order-events.handler';
import { PaymentCommands } from './application/payment-commands';
import { PAYMENT_GATEWAY } from './application/payment-gateway.port';
import { PaymentQueries } from './application/payment-queries';
import { PaymentTurns } from './application/payment-turns';
import { ProviderTasks } from './application/provider-tasks';
import { RefundService } from './application/refund.service';
import { WebhookProcessor } from './application/webhook-processor';
import { EmbeddedSimulator } from './infrastructure/embedded-simulator';
import { GatewayClient } from './infrastructure/gateway-client';
import {
  loadPaymentsSettings,
  PAYMENTS_SETTINGS,
  type PaymentsSettings,
} from './payments.settings';

/**
 * The payments bounded context (R-PAY-1…4): the Payment aggregate, the provider gateway
 * (simulated unless PAYMENT_GATEWAY_URL is set), webhooks, refunds and the consumers of
 * orders.events and logistics.events.
 */
@Module({
  // The deadline scheduler's default poll (250 ms) is enough: provider calls, captures and
  // refunds this process schedules wake it at their commit; the poll finds expiries coming due
  // and other instances' work. At 100 ms the idle service used half as much CPU again.
  imports: [EventSourcingModule.forRoot()],
  controllers: [
    PaymentsHttpController,
    WebhooksHttpController,
    OrdersKafkaController,
    LogisticsKafkaController,
  ],
  providers: [
    { provide: PAYMENTS_SETTINGS, useFactory: () => loadPaymentsSettings(process.env) },
    EmbeddedSimulator,
    {
      provide: PAYMENT_GATEWAY,
      inject: [PAYMENTS_SETTINGS, EmbeddedSimulator],
      useFactory: (settings: PaymentsSettings, simulator: EmbeddedSimulator) =>
        new GatewayClient({
          baseUrl: () => simulator.gatewayUrl(),
          apiKey: settings.gatewayApiKey,
        }),
    },
    PaymentCommands,
    MoneyBackService,
    PaymentTurns,
    ProviderTasks,
    WebhookProcessor,
    RefundService,
    PaymentQueries,
    OrderEventsHandler,
  ],
})
export class PaymentsModule {}
