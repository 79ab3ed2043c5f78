import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { KnownStream } from '@fulfil/event-store';
import { DeadlineScheduler, type CompleteDeadline } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import { isOnlineMethod, METHOD_POLICIES } from '../domain/payment-method';
import type { OpenPaymentState } from '../domain/payment.state';
import type { PaymentCommand } from '../domain/payment.commands';
import { PAYMENTS_SETTINGS, type PaymentsSettings } from '../payments.settings';
import { MoneyBackService } from './money-back.service';
import { PaymentCommands, type CommandContext } from './payment-commands';
import {
  PaymentDeadlineKinds,
  type PaymentTaskPayload,
  type RefundPayload,
  type VoidPayload,
} from './payment-deadlines';
import { PAYMENT_GATEWAY, type PaymentGateway } from './payment-gateway.port';
import { PaymentTurns } from './payment-turns';

const SYSTEM = 'payments';

/** The provider's answer to a cancel: nothing was paid, or the customer paid first. */
type CancelAnswer = Awaited<ReturnType<PaymentGateway['cancel']>>;

/** A payment read before a call out: its open state and the stream version it is at. */
type OpenedPayment = KnownStream<OpenPaymentState>;

/**
 * The handlers of the provider work scheduled as deadlines: register an intent, expire it,
 * capture, void, refund. Each is a leased deadline: the provider is called with no database
 * transaction open (an open one would hold back every outbox relay in the cluster), then the
 * answer is recorded in the transaction that deletes the deadline. A provider outage throws
 * and the deadline is retried with backoff; the provider's idempotency makes a repeated call
 * harmless.
 */
@Injectable()
export class ProviderTasks implements OnModuleInit {
  constructor(
    @Inject(DeadlineScheduler) private readonly scheduler: DeadlineScheduler,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    @Inject(PAYMENTS_SETTINGS) private readonly settings: PaymentsSettings,
    private readonly commands: PaymentCommands,
    private readonly moneyBack: MoneyBackService,
    private readonly turns: PaymentTurns,
  ) {}

  onModuleInit(): void {
    this.scheduler
      .onLeased<PaymentTaskPayload>(PaymentDeadlineKinds.register, (p, complete) =>
        this.register(p, complete),
      )
      .onLeased<PaymentTaskPayload>(PaymentDeadlineKinds.expire, (p, complete) =>
        this.expire(p, complete),
      )
      .onLeased<PaymentTaskPayload>(PaymentDeadlineKinds.capture, (p, complete) =>
        this.capture(p, complete),
      )
      .onLeased<VoidPayload>(PaymentDeadlineKinds.void, (p, complete) => this.void(p, complete))
      .onLeased<RefundPayload>(PaymentDeadlineKinds.refund, (p, complete) =>
        this.refund(p, complete),
      );
  }

  /**
   * The payment as it stands (read outside any transaction): recording the answer decides on
   * it without a second read, and the append refuses it should it have changed meanwhile.
   */
  private async open(paymentId: string): Promise<OpenedPayment | undefined> {
    const { state, version } = await this.commands.load(paymentId);
    return state.status === 'none' ? undefined : { state, version };
  }

  private context(payload: PaymentTaskPayload): CommandContext {
    return { correlationId: payload.correlationId, actor: SYSTEM };
  }

  async register(payload: PaymentTaskPayload, complete: CompleteDeadline): Promise<void> {
    // As this process last saw it (no read: it created the intent a moment ago). Behind the
    // stored payment only when another instance moved it on since: then the provider is asked
    // for a registration the append below refuses, and the intent expires unpaid there.
    const current = await this.commands.current(payload.paymentId);
    const opened = current.state.status === 'none' ? undefined : current;
    if (!opened) return;
    const { state } = opened;
    if (state.status !== 'pending' || state.providerReference || !isOnlineMethod(state.method))
      return;
    const captureMode =
      METHOD_POLICIES[state.method].captureMode === 'manual' ? 'manual' : 'automatic';
    const registered = await this.gateway.register({
      paymentId: state.paymentId,
      method: state.method,
      amount: state.amount,
      captureMode,
      notifyUrl: `${this.settings.notifyBaseUrl}/webhooks/${state.method}`,
    });
    // In turn with the payment's webhooks: the provider may notify as soon as it answered.
    await this.turns.run(state.paymentId, () =>
      complete(async (client) => {
        await this.commands.execute(
          state.paymentId,
          {
            type: 'RecordProviderRegistration',
            data: { ...registered, now: new Date().toISOString() },
          },
          this.context(payload),
          { client, known: opened },
        );
      }),
    );
  }

  /** At expiry: cancel at the provider first, so a customer paying this very moment wins. */
  async expire(payload: PaymentTaskPayload, complete: CompleteDeadline): Promise<void> {
    const opened = await this.open(payload.paymentId);
    if (!opened || opened.state.status !== 'pending') return;
    await this.cancelThen(opened, payload, complete, {
      type: 'TimeOutPayment',
      data: { now: new Date().toISOString() },
    });
  }

  async capture(payload: PaymentTaskPayload, complete: CompleteDeadline): Promise<void> {
    const opened = await this.open(payload.paymentId);
    if (!opened) return;
    const { state } = opened;
    if (state.status !== 'authorised' || !state.providerReference) return;
    const providerReference = state.providerReference;
    const { capturedAmount } = await this.gateway.capture(providerReference);
    await complete(async (client) => {
      const { state: after } = await this.commands.execute(
        state.paymentId,
        {
          type: 'RecordProviderResult',
          data: {
            outcome: 'captured',
            providerReference,
            amount: capturedAmount,
            now: new Date().toISOString(),
          },
        },
        this.context(payload),
        { client, known: opened },
      );
      await this.moneyBack.giveBackIfOrderGone(client, after, this.context(payload));
    });
  }

  async void(payload: VoidPayload, complete: CompleteDeadline): Promise<void> {
    const opened = await this.open(payload.paymentId);
    if (!opened) return;
    if (opened.state.status === 'captured') {
      // Captured after the cancellation saw it open (a webhook committing meanwhile): nothing
      // to void any more, the money goes back as a refund.
      await complete((client) =>
        this.moneyBack.giveBackIfOrderGone(client, opened.state, this.context(payload)),
      );
      return;
    }
    const status = opened.state.status;
    if (status !== 'pending' && status !== 'authorised') return;
    await this.cancelThen(opened, payload, complete, {
      type: 'VoidPayment',
      data: { reason: payload.reason, now: new Date().toISOString() },
    });
  }

  /**
   * Cancels at the provider (when registered there), then records `command` — unless the
   * customer paid first, which is recorded instead (and given back if the order is gone).
   */
  private async cancelThen(
    opened: OpenedPayment,
    payload: PaymentTaskPayload,
    complete: CompleteDeadline,
    command: PaymentCommand,
  ): Promise<void> {
    const { state } = opened;
    const answer = state.providerReference
      ? await this.gateway.cancel(state.providerReference)
      : undefined;
    await complete(async (client) => {
      if (answer && (await this.recordPaidFirst(client, opened, answer, payload))) return;
      await this.commands.execute(state.paymentId, command, this.context(payload), {
        client,
        known: opened,
      });
    });
  }

  async refund(payload: RefundPayload, complete: CompleteDeadline): Promise<void> {
    const opened = await this.open(payload.paymentId);
    if (!opened) return;
    const { state } = opened;
    if (state.status !== 'captured') return;
    const refund = state.refunds.find((candidate) => candidate.refundId === payload.refundId);
    if (!refund || refund.status !== 'pending') return;
    // Cash payments are paid back by hand (store till, bank transfer by customer service).
    const result =
      isOnlineMethod(state.method) && state.providerReference
        ? await this.gateway.refund(state.providerReference, {
            refundId: refund.refundId,
            amount: refund.amount,
          })
        : ({ outcome: 'succeeded', providerRefundReference: `manual:${refund.refundId}` } as const);
    const now = new Date().toISOString();
    await complete(async (client) => {
      await this.commands.execute(
        state.paymentId,
        {
          type: 'RecordRefundResult',
          data:
            result.outcome === 'succeeded'
              ? {
                  refundId: refund.refundId,
                  outcome: 'succeeded',
                  providerRefundReference: result.providerRefundReference,
                  now,
                }
              : {
                  refundId: refund.refundId,
                  outcome: 'failed',
                  detail: `${result.code}: ${result.detail}`,
                  now,
                },
        },
        this.context(payload),
        { client, known: opened },
      );
    });
  }

  /**
   * After a cancel at the provider: when the customer paid first, records the capture (and
   * gives the money back if the order is gone) and returns true; false when it was cancelled.
   */
  private async recordPaidFirst(
    client: PoolClient,
    opened: OpenedPayment,
    answer: CancelAnswer,
    payload: PaymentTaskPayload,
  ): Promise<boolean> {
    if (answer.outcome === 'cancelled') return false;
    const { state } = opened;
    const { state: after } = await this.commands.execute(
      state.paymentId,
      {
        type: 'RecordProviderResult',
        data: {
          outcome: 'captured',
          providerReference: state.providerReference!,
          amount: answer.amount,
          now: new Date().toISOString(),
        },
      },
      this.context(payload),
      { client, known: opened },
    );
    await this.moneyBack.giveBackIfOrderGone(client, after, this.context(payload));
    return true;
  }
}
