import { Inject, Injectable } from '@nestjs/common';
import { runWrites } from '@fulfil/event-store';
import { DeadlineScheduler } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import { isOnlineMethod } from '../domain/payment-method';
import { refundableAmount, type PaymentState } from '../domain/payment.state';
import { paymentOrders } from '../infrastructure/persistence/payment-orders.repository';
import { deterministicUuid } from './deterministic-id';
import { PaymentCommands, type CommandContext } from './payment-commands';
import { paymentTasks } from './payment-deadlines';

/**
 * Gives money back when its order is gone (flow step 8): an open intent or a card
 * authorisation is voided at the provider; captured money is refunded in full. Runs after
 * every change that can leave money on a cancelled order or a closed payment — the order's
 * cancellation itself, and a provider result that arrives after it.
 */
@Injectable()
export class MoneyBackService {
  constructor(
    private readonly commands: PaymentCommands,
    @Inject(DeadlineScheduler) private readonly scheduler: DeadlineScheduler,
  ) {}

  async giveBackIfOrderGone(
    client: PoolClient,
    state: PaymentState,
    context: CommandContext,
  ): Promise<void> {
    if (state.status === 'none') return;
    const order = await paymentOrders.find(client, state.orderId);
    if (!order?.cancelled && !state.afterClose) return;
    const tasks = paymentTasks(this.scheduler);
    if (state.status === 'pending' || state.status === 'authorised') {
      await runWrites(client, [
        tasks.void({
          paymentId: state.paymentId,
          correlationId: context.correlationId,
          reason: 'order-cancelled',
        }),
      ]);
      return;
    }
    if (state.status !== 'captured') return;
    const refundable = refundableAmount(state);
    if (refundable.amountMinor <= 0) return;
    // The same id for the same situation: a retried handler asks for the same refund.
    const refundId = deterministicUuid(
      'order-gone',
      state.paymentId,
      String(refundable.amountMinor),
    );
    await this.commands.execute(
      state.paymentId,
      {
        type: 'RequestRefund',
        data: {
          refundId,
          amount: refundable,
          kind: 'full',
          reason: 'order-cancelled',
          now: new Date().toISOString(),
        },
      },
      context,
      {
        client,
        alsoWrite: () => [
          tasks.refund({
            paymentId: state.paymentId,
            refundId,
            correlationId: context.correlationId,
          }),
        ],
      },
    );
  }

  /** Whether refunds of this payment go through the provider (cash is paid back by hand). */
  static refundsThroughProvider(state: PaymentState): boolean {
    return state.status !== 'none' && isOnlineMethod(state.method);
  }
}
