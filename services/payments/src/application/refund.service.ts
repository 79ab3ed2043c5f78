import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { isOnlineMethod } from '../domain/payment-method';
import { PaymentNotCaptured } from '../domain/payment.errors';
import type { RefundKind } from '../domain/payment.events';
import type { Money } from '../domain/money';
import type { CapturedPaymentState } from '../domain/payment.state';
import { DeadlineScheduler, PG_POOL } from '@fulfil/messaging';
import type { Pool } from 'pg';
import { PaymentCommands, type CommandContext } from './payment-commands';
import { deadlineIds, paymentTasks } from './payment-deadlines';
import {
  GatewayUnavailableError,
  PAYMENT_GATEWAY,
  type PaymentGateway,
} from './payment-gateway.port';

export interface RefundRequest {
  readonly amount: Money;
  readonly kind: RefundKind;
  readonly reason: string;
  readonly caseId?: string;
}

export interface RefundOutcome {
  readonly refundId: string;
  readonly status: 'issued' | 'failed' | 'pending';
  readonly state: CapturedPaymentState;
  readonly detail?: string;
}

/** If the provider does not answer at once, the refund deadline takes over after this delay. */
const RETRY_AFTER_MS = 15_000;

/**
 * A refund asked for over HTTP: the amount is held on the payment first (the decision that
 * makes racing requests unable to exceed the captured total), then paid out at the provider,
 * then the provider's answer is recorded. A crash in between is covered by a refund deadline
 * written with the hold; the provider's idempotency per refund id prevents a double payout.
 */
@Injectable()
export class RefundService {
  private readonly logger = new Logger(RefundService.name);

  constructor(
    private readonly commands: PaymentCommands,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    @Inject(DeadlineScheduler) private readonly scheduler: DeadlineScheduler,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async refund(
    paymentId: string,
    request: RefundRequest,
    context: CommandContext,
  ): Promise<RefundOutcome> {
    const refundId = randomUUID();
    const held = await this.commands.execute(
      paymentId,
      { type: 'RequestRefund', data: { refundId, ...request, now: new Date().toISOString() } },
      context,
      {
        alsoWrite: () => [
          paymentTasks(this.scheduler).refund(
            { paymentId, refundId, correlationId: context.correlationId },
            new Date(Date.now() + RETRY_AFTER_MS),
          ),
        ],
      },
    );
    const state = held.state;
    if (state.status !== 'captured') throw new PaymentNotCaptured(paymentId, state.status);
    const refund = state.refunds.find((candidate) => candidate.refundId === refundId)!;

    let answer: Awaited<ReturnType<PaymentGateway['refund']>>;
    try {
      answer =
        isOnlineMethod(state.method) && state.providerReference
          ? await this.gateway.refund(state.providerReference, { refundId, amount: refund.amount })
          : { outcome: 'succeeded', providerRefundReference: `manual:${refundId}` };
    } catch (error) {
      if (!(error instanceof GatewayUnavailableError)) throw error;
      this.logger.warn(`refund ${refundId} pending, provider unavailable: ${error.message}`);
      return { refundId, status: 'pending', state };
    }
    const now = new Date().toISOString();
    const recorded = await this.commands.execute(
      paymentId,
      {
        type: 'RecordRefundResult',
        data:
          answer.outcome === 'succeeded'
            ? {
                refundId,
                outcome: 'succeeded',
                providerRefundReference: answer.providerRefundReference,
                now,
              }
            : { refundId, outcome: 'failed', detail: `${answer.code}: ${answer.detail}`, now },
      },
      context,
    );
    await this.scheduler.cancel(this.pool, deadlineIds.refund(refundId));
    const after = recorded.state as CapturedPaymentState;
    const status =
      after.refunds.find((candidate) => candidate.refundId === refundId)?.status ?? 'pending';
    return {
      refundId,
      status,
      state: after,
      ...(answer.outcome === 'rejected' ? { detail: `${answer.code}: ${answer.detail}` } : {}),
    };
  }
}
