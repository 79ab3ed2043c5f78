import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { isDomainError } from '@fulfil/decider';
import { EventStore, runWrites, WrongExpectedVersionError } from '@fulfil/event-store';
import { DeadlineScheduler } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import { z } from 'zod';
import type { PaymentCommand } from '../domain/payment.commands';
import type { PaymentEvent, PaymentFailureReason } from '../domain/payment.events';
import {
  webhookDeliveries,
  type StoredWebhook,
  type WebhookResult,
} from '../infrastructure/persistence/webhook-deliveries.repository';
import type { WebhookProvider } from '../payments.settings';
import { MoneyBackService } from './money-back.service';
import { PaymentCommands, type CommandContext } from './payment-commands';
import { PaymentTurns } from './payment-turns';
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

/** The events that end a pending intent (what its expiry deadline waits for not to happen). */
const RESULT_EVENTS: ReadonlySet<string> = new Set<PaymentEvent['type']>([
  'PaymentAuthorised',
  'PaymentCaptured',
  'PaymentFailed',
]);

/** Tries of the store-and-apply transaction refused for transaction order (see `storeApplied`). */
const APPLY_ATTEMPTS = 3;

/** A verified delivery as the webhook controller hands it over. */
export interface WebhookDelivery {
  readonly webhookId: string;
  readonly provider: WebhookProvider;
  readonly signedAt: Date;
  readonly rawBody: Buffer;
}

/** Its webhook-id was stored by an earlier delivery: undo this one's effects. */
class ReplayedDelivery extends Error {}

/**
 * Verified provider webhooks, stored raw (unique by `webhook-id`, so a replay has no second
 * effect) in the transaction that applies them to the payment: one transaction per delivery.
 * Only when applying fails is the delivery stored alone, and a deadline applies it later (the
 * sender has its 2xx either way).
 */
@Injectable()
export class WebhookProcessor implements OnModuleInit {
  private readonly logger = new Logger(WebhookProcessor.name);

  constructor(
    private readonly store: EventStore,
    private readonly commands: PaymentCommands,
    private readonly moneyBack: MoneyBackService,
    @Inject(DeadlineScheduler) private readonly scheduler: DeadlineScheduler,
    private readonly turns: PaymentTurns,
  ) {}

  onModuleInit(): void {
    this.scheduler.on<WebhookPayload>(PaymentDeadlineKinds.webhook, (payload, client) =>
      this.process(client, payload.webhookId),
    );
  }

  /** Stores and applies a verified delivery; `duplicate` when its webhook-id was seen before. */
  async receive(delivery: WebhookDelivery): Promise<'accepted' | 'duplicate'> {
    const notification = readNotification(delivery.rawBody);
    const storeApplied = () => this.storeApplied(delivery, notification);
    try {
      // In turn with the recording of the payment's registration (see PaymentTurns).
      return await (notification
        ? this.turns.run(notification.data.merchantReference, storeApplied)
        : storeApplied());
    } catch (error) {
      // Said once stored: with the database down the store fails too, and the provider's retry
      // (after our 503) is the only one.
      const stored = await this.storeForRetry(delivery);
      this.logger.warn(
        `webhook ${delivery.webhookId} not applied, stored for a retry: ${(error as Error).message}`,
      );
      return stored;
    }
  }

  /**
   * Applies the delivery and stores it with its result, in one transaction. A replay finds its
   * webhook-id taken by the insert and is rolled back. The append is the transaction's first
   * write; should the event store still refuse it for transaction order (a younger transaction
   * wrote the stream first), only a new transaction can succeed: it is retried at once.
   */
  private async storeApplied(
    delivery: WebhookDelivery,
    notification: ProviderNotification | undefined,
  ): Promise<'accepted' | 'duplicate'> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.store.withTransaction(async (client) => {
          const result = await this.apply(client, delivery, notification);
          if (!(await webhookDeliveries.storeApplied(client, delivery, result))) {
            throw new ReplayedDelivery();
          }
        });
        return 'accepted';
      } catch (error) {
        if (error instanceof ReplayedDelivery) return 'duplicate';
        if (attempt >= APPLY_ATTEMPTS || !isTransactionOrderConflict(error)) throw error;
      }
    }
  }

  /** Stores the delivery unapplied, with the deadline that applies it. */
  private async storeForRetry(delivery: WebhookDelivery): Promise<'accepted' | 'duplicate'> {
    return this.store.withTransaction(async (client) => {
      if (!(await webhookDeliveries.store(client, delivery))) return 'duplicate';
      await runWrites(client, [
        paymentTasks(this.scheduler).webhook({ webhookId: delivery.webhookId }),
      ]);
      return 'accepted';
    });
  }

  /** The deadline of a delivery stored unapplied: applies it once. */
  async process(client: PoolClient, webhookId: string): Promise<void> {
    const delivery = await webhookDeliveries.lockUnprocessed(client, webhookId);
    if (!delivery) return;
    const result = await this.apply(client, delivery, readNotification(delivery.rawBody));
    await webhookDeliveries.finish(client, webhookId, result);
  }

  /** `notification`: the delivery's body as read by `readNotification`. */
  private async apply(
    client: PoolClient,
    { provider, webhookId }: Pick<StoredWebhook, 'webhookId' | 'provider'>,
    notification: ProviderNotification | undefined,
  ): Promise<WebhookResult> {
    if (!notification) return { status: 'rejected', outcome: 'unreadable notification' };
    const paymentId = notification.data.merchantReference;
    // The payment's own stream says whether it exists and how it is paid (neither changes once
    // true), and the command is decided on it (`known`): as this process last saw it
    // committed, else read — no other statement before the append, which refuses a stale one.
    // Read, not locked: a lock would give this transaction its id before the append, and the
    // registration being recorded right now (the provider notifies at once) would then refuse
    // it for transaction order. The money-back check below reads the order after the append.
    const known = await this.commands.current(paymentId, client);
    const { state } = known;
    if (state.status === 'none')
      return { status: 'ignored', outcome: `unknown payment ${paymentId}` };
    if (state.method !== provider) {
      return { status: 'rejected', outcome: `payment ${paymentId} is not a ${provider} payment` };
    }
    const command = toCommand(notification);
    if (!command) return { status: 'ignored', outcome: notification.type };
    const context: CommandContext = {
      correlationId: webhookId,
      causationId: webhookId,
      actor: `provider:${provider}`,
    };
    try {
      const { state: after, events } = await this.commands.execute(paymentId, command, context, {
        client,
        known,
        // The intent has its result: its expiry could only find it no longer pending, a
        // lease, a stream read and a delete one TTL from now. One delete here instead.
        alsoWrite: (recorded) =>
          recorded.some((event) => RESULT_EVENTS.has(event.type))
            ? [this.scheduler.cancelWrite(deadlineIds.expire(paymentId))]
            : [],
      });
      await this.moneyBack.giveBackIfOrderGone(client, after, context);
      return {
        status: 'processed',
        outcome: `${notification.type}: ${events.map((e) => e.type).join(', ') || 'no change'}`,
      };
    } catch (error) {
      if (!isDomainError(error)) throw error;
      this.logger.warn(`webhook ${webhookId} refused: ${error.code} ${error.message}`);
      return { status: 'rejected', outcome: error.code };
    }
  }
}

/** The notification in a delivery's body; undefined when it is not one. */
function readNotification(rawBody: Buffer): ProviderNotification | undefined {
  try {
    return ProviderNotification.parse(JSON.parse(rawBody.toString('utf8')));
  } catch {
    return undefined;
  }
}

function isTransactionOrderConflict(error: unknown): boolean {
  return error instanceof WrongExpectedVersionError && error.reason === 'transaction-order';
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
