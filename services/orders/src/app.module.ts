import { Module } from '@nestjs/common';
import { EventSourcingModule } from '@fulfil/messaging';
import { OrdersHttpController } from './api/orders.http.controller';
import { CancelOrderUseCase } from './application/cancel-order.use-case';
import { ConfirmationDeadlineHandler } from './application/confirmation-deadline.handler';
import { OrderCommandRunner } from './application/order-command.runner';
import { OrderProcessManager } from './application/order-process.kafka.controller';
import { OrderQueries } from './application/order.queries';
import { PlaceOrderUseCase } from './application/place-order.use-case';
import { DeliveryAddressRepository } from './infrastructure/delivery-address.repository';
import { OrderSummaryProjection } from './infrastructure/order-summary.projection';
import { loadOrdersSettings, ORDERS_SETTINGS } from './orders.settings';

/** The orders bounded context: the order API, the process manager and the safety deadline. */
@Module({
  // Its event handlers write to its own database alone, so their transactions may commit
  // without waiting for the WAL flush (the relay and the offset commits flush first).
  imports: [EventSourcingModule.forRoot({ asynchronousInboxCommits: true })],
  controllers: [OrdersHttpController, OrderProcessManager],
  providers: [
    { provide: ORDERS_SETTINGS, useFactory: () => loadOrdersSettings(process.env) },
    OrderCommandRunner,
    OrderQueries,
    PlaceOrderUseCase,
    CancelOrderUseCase,
    ConfirmationDeadlineHandler,
    DeliveryAddressRepository,
    OrderSummaryProjection,
  ],
})
export class OrdersModule {}
