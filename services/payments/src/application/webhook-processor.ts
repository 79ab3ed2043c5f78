import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { isDomainError } from '@fulfil/decider';
import { EventStore } from '@fulfil/event-store';
import { DeadlineScheduler } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import { z } from 'zod';
import type { PaymentCommand } from '../domain/payment.commands';
import type { PaymentFailureReason } from '../domain/payment.events';
import { webhookDeliveries } from '../infrastructure/persistence/webhook-deliveries.repository';
import type { WebhookProvider } from '../payments.settings';
import { MoneyBackService } from './money-back.service';
import { PaymentCommands, type CommandContext } from './payment-commands';
import {
  deadlineIds,
  PaymentDeadlineKinds,
  paymentTasks,
  type WebhookPayload,
} from './payment-deadlines';

const Amount = z.object({
  value: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
});

/** The part of a provider notification payments relies on (unknown fields are tolerated). */
const ProviderNotification = z.object({
  type: z.enum([
    'payment.authorised',
    'payment.captured',
    'payment.failed',
    'payment.cancelled',
    'refund.succeeded',
  ]),
  data: z.object({
    providerReference: z.string().min(1).max(128),
    merchantReference: z.string().uuid(),
    method: z.string(),
    amount: Amount,
    capturedAmount: Amount,
    failureCode: z.string().max(64).optional(),
    refund: z
      .object({
        refundId: z.string().min(1).max(128),
        merchantRefundReference: z.string().min(1).max(128),
      })
      .optional(),
  }),
});
type ProviderNotification = z.infer<typeof ProviderNotification>;

const FAILURE_REASONS: Record<string, PaymentFailureReason> = {
  declined: 'declined',
  insufficient_funds: 'insufficient-funds',
  cancelled_by_customer: 'cancelled-by-customer',
  fraud_suspected: 'fraud-suspected',
};

/** How long a stored webhook waits for the inline processing before the deadline retries it. */
const SAFETY_NET_MS = 5_000;

/**
 * Verified provider webhooks: stored raw first (unique by `webhook-id`, so a replay has no
 * second effect), then applied to the payment in a second transaction. The sender gets its 2xx
 * as soon as the raw body is stored and applied; if applying fails, a deadline retries it.
 */
@Injectable()
export class WebhookProcessor implements OnModuleInit {
  private readonly logger = new Logger(WebhookProcessor.name);

  constructor(
    private readonly store: EventStore,
    private readonly commands: PaymentCommands,
    private readonly moneyBack: MoneyBackService,
    @Inject(DeadlineScheduler) private readonly scheduler: DeadlineScheduler,
  ) {}

  onModuleInit(): void {
    this.scheduler.on<WebhookPayload>(PaymentDeadlineKinds.webhook, (payload, client) =>
      this.process(client, payload.webhookId),
    );
  }

  /** Stores and applies a verified delivery; `duplicate` when its webhook-id was seen before. */
  async receive(delivery: {
    webhookId: string;
    provider: WebhookProvider;
    signedAt: Date;
    rawBody: Buffer;
  }): Promise<'accepted' | 'duplicate'> {
    const stored = await this.store.withTransaction(async (client) => {
      const fresh = await webhookDeliveries.store(client, delivery);
      if (fresh) {
        await paymentTasks(this.scheduler).webhook(
          client,
          { webhookId: delivery.webhookId },
          new Date(Date.now() + SAFETY_NET_MS),
        );
      }
      return fresh;
    });
    if (!stored) return 'duplicate';
    try {
      await this.store.withTransaction((client) => this.process(client, delivery.webhookId));
    } catch (error) {
      this.logger.warn(
        `webhook ${delivery.webhookId} stored, applying it failed (retried): ${(error as Error).message}`,
      );
    }
    return 'accepted';
  }

  /** Applies a stored delivery once; also the handler of its safety-net deadline. */
  async process(client: PoolClient, webhookId: string): Promise<void> {
    const delivery = await webhookDeliveries.lockUnprocessed(client, webhookId);
    if (!delivery) return;
    const [status, outcome] = await this.apply(
      client,
      delivery.provider,
      delivery.rawBody,
      webhookId,
    );
    await webhookDeliveries.finish(client, webhookId, status, outcome);
    await this.scheduler.cancel(client, deadlineIds.webhook(webhookId));
  }

  private async apply(
    client: PoolClient,
    provider: string,
    rawBody: Buffer,
    webhookId: string,
  ): Promise<['processed' | 'ignored' | 'rejected', string]> {
    let notification: ProviderNotification;
    try {
      notification = ProviderNotification.parse(JSON.parse(rawBody.toString('utf8')));
    } catch {
      return ['rejected', 'unreadable notification'];
    }
    const { data } = notification;
    const { state } = await this.commands.load(data.merchantReference, client);
    if (state.status === 'none') return ['ignored', `unknown payment ${data.merchantReference}`];
    if (state.method !== provider)
      return ['rejected', `payment ${state.paymentId} is not a ${provider} payment`];
    const command = toCommand(notification);
    if (!command) return ['ignored', notification.type];
    const context: CommandContext = {
      correlationId: webhookId,
      causationId: webhookId,
      actor: `provider:${provider}`,
    };
    try {
      const { state: after, events } = await this.commands.execute(
        state.paymentId,
        command,
        context,
        { client },
      );
      await this.moneyBack.giveBackIfOrderGone(client, after, context);
      return [
        'processed',
        `${notification.type}: ${events.map((e) => e.type).join(', ') || 'no change'}`,
      ];
    } catch (error) {
      if (!isDomainError(error)) throw error;
      this.logger.warn(`webhook ${webhookId} refused: ${error.code} ${error.message}`);
      return ['rejected', error.code];
    }
  }
}

function toCommand(notification: ProviderNotification): PaymentCommand | undefined {
  const { data } = notification;
  const now = new Date().toISOString();
  const base = { providerReference: data.providerReference, now };
  switch (notification.type) {
    case 'payment.authorised':
      return {
        type: 'RecordProviderResult',
        data: { ...base, outcome: 'authorised', amount: money(data.amount) },
      };
    case 'payment.captured':
      return {
        type: 'RecordProviderResult',
        data: { ...base, outcome: 'captured', amount: money(data.capturedAmount) },
      };
    case 'payment.failed':
      return {
        type: 'RecordProviderResult',
        data: {
          ...base,
          outcome: 'failed',
          amount: money(data.amount),
          reason: FAILURE_REASONS[data.failureCode ?? ''] ?? 'provider-error',
          ...(data.failureCode === undefined ? {} : { providerCode: data.failureCode }),
        },
      };
    case 'refund.succeeded':
      if (!data.refund) return undefined;
      return {
        type: 'RecordRefundResult',
        data: {
          refundId: data.refund.merchantRefundReference,
          outcome: 'succeeded',
          providerRefundReference: data.refund.refundId,
          now,
        },
      };
    case 'payment.cancelled':
      // The echo of our own cancel: the void or timeout is recorded by whoever cancelled.
      return undefined;
  }
}

function money(amount: { value: number; currency: string }) {
  return { amountMinor: amount.value, currency: amount.currency };
}
