import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DeadlineScheduler } from '@fulfil/messaging';
import { SERVICE_LOGGER } from '@fulfil/service-kit';
import type { Logger } from 'pino';
import { CONFIRMATION_DEADLINE_KIND, OrderCommandRunner } from './order-command.runner';

interface ConfirmationDeadlinePayload {
  readonly orderId: string;
  readonly correlationId: string;
}

/**
 * The orders-side safety net (ORDER_CONFIRMATION_TIMEOUT_SECONDS): payments' PaymentTimedOut
 * and inventory's reservation expiry normally end an unpaid order first; if both are lost or
 * late, this deadline cancels an order still unconfirmed (reason payment-timed-out).
 */
@Injectable()
export class ConfirmationDeadlineHandler implements OnModuleInit {
  constructor(
    @Inject(DeadlineScheduler) private readonly deadlines: DeadlineScheduler,
    private readonly runner: OrderCommandRunner,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.deadlines.on<ConfirmationDeadlinePayload>(
      CONFIRMATION_DEADLINE_KIND,
      async (payload, client, deadline) => {
        const now = new Date().toISOString();
        const result = await this.runner.run(
          payload.orderId,
          { type: 'ExpireUnconfirmedOrder', data: { at: now } },
          {
            correlationId: payload.correlationId,
            causationId: deadline.id,
            actor: 'orders:confirmation-deadline',
            now,
          },
          { client },
        );
        if (result.events.length > 0) {
          this.logger.warn(
            { orderId: payload.orderId },
            'order cancelled by the confirmation deadline: no payment or stock result in time',
          );
        }
      },
    );
  }
}
