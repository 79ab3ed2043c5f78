import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DeadlineScheduler } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import { isOnlineMethod, METHOD_POLICIES } from '../domain/payment-method';
import type { OpenPaymentState } from '../domain/payment.state';
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

const SYSTEM = 'payments';

/**
 * The handlers of the provider work scheduled as deadlines: register an intent, expire it,
 * capture, void, refund. Each runs in the transaction that deletes its deadline; a provider
 * outage throws and the deadline is retried with backoff.
 */
@Injectable()
export class ProviderTasks implements OnModuleInit {
  constructor(
    @Inject(DeadlineScheduler) private readonly scheduler: DeadlineScheduler,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    @Inject(PAYMENTS_SETTINGS) private readonly settings: PaymentsSettings,
    private readonly commands: PaymentCommands,
    private readonly moneyBack: MoneyBackService,
  ) {}

  onModuleInit(): void {
    this.scheduler
      .on<PaymentTaskPayload>(PaymentDeadlineKinds.register, (p, client) =>
        this.register(p, client),
      )
      .on<PaymentTaskPayload>(PaymentDeadlineKinds.expire, (p, client) => this.expire(p, client))
      .on<PaymentTaskPayload>(PaymentDeadlineKinds.capture, (p, client) => this.capture(p, client))
      .on<VoidPayload>(PaymentDeadlineKinds.void, (p, client) => this.void(p, client))
      .on<RefundPayload>(PaymentDeadlineKinds.refund, (p, client) => this.refund(p, client));
  }

  private async open(paymentId: string, client: PoolClient): Promise<OpenPaymentState | undefined> {
    const { state } = await this.commands.load(paymentId, client);
    return state.status === 'none' ? undefined : state;
  }

  private context(payload: PaymentTaskPayload): CommandContext {
    return { correlationId: payload.correlationId, actor: SYSTEM };
  }

  async register(payload: PaymentTaskPayload, client: PoolClient): Promise<void> {
    const state = await this.open(payload.paymentId, client);
    if (
      !state ||
      state.status !== 'pending' ||
      state.providerReference ||
      !isOnlineMethod(state.method)
    )
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
    await this.commands.execute(
      state.paymentId,
      {
        type: 'RecordProviderRegistration',
        data: { ...registered, now: new Date().toISOString() },
      },
      this.context(payload),
      { client },
    );
  }

  /** At expiry: cancel at the provider first, so a customer paying this very moment wins. */
  async expire(payload: PaymentTaskPayload, client: PoolClient): Promise<void> {
    const state = await this.open(payload.paymentId, client);
    if (!state || state.status !== 'pending') return;
    if (
      state.providerReference &&
      (await this.cancelAtProvider(state, payload, client)) === 'completed'
    )
      return;
    await this.commands.execute(
      state.paymentId,
      { type: 'TimeOutPayment', data: { now: new Date().toISOString() } },
      this.context(payload),
      { client },
    );
  }

  async capture(payload: PaymentTaskPayload, client: PoolClient): Promise<void> {
    const state = await this.open(payload.paymentId, client);
    if (!state || state.status !== 'authorised' || !state.providerReference) return;
    const { capturedAmount } = await this.gateway.capture(state.providerReference);
    const { state: after } = await this.commands.execute(
      state.paymentId,
      {
        type: 'RecordProviderResult',
        data: {
          outcome: 'captured',
          providerReference: state.providerReference,
          amount: capturedAmount,
          now: new Date().toISOString(),
        },
      },
      this.context(payload),
      { client },
    );
    await this.moneyBack.giveBackIfOrderGone(client, after, this.context(payload));
  }

  async void(payload: VoidPayload, client: PoolClient): Promise<void> {
    const state = await this.open(payload.paymentId, client);
    if (!state || (state.status !== 'pending' && state.status !== 'authorised')) return;
    if (
      state.providerReference &&
      (await this.cancelAtProvider(state, payload, client)) === 'completed'
    )
      return;
    await this.commands.execute(
      state.paymentId,
      { type: 'VoidPayment', data: { reason: payload.reason, now: new Date().toISOString() } },
      this.context(payload),
      { client },
    );
  }

  async refund(payload: RefundPayload, client: PoolClient): Promise<void> {
    const state = await this.open(payload.paymentId, client);
    if (!state || state.status !== 'captured') return;
    const refund = state.refunds.find((candidate) => candidate.refundId === payload.refundId);
    if (!refund || refund.status !== 'pending') return;
    const now = new Date().toISOString();
    // Cash payments are paid back by hand (store till, bank transfer by customer service).
    const result =
      isOnlineMethod(state.method) && state.providerReference
        ? await this.gateway.refund(state.providerReference, {
            refundId: refund.refundId,
            amount: refund.amount,
          })
        : ({ outcome: 'succeeded', providerRefundReference: `manual:${refund.refundId}` } as const);
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
      { client },
    );
  }

  /** Cancels at the provider; when the money was taken first, records that (and gives it back if due). */
  private async cancelAtProvider(
    state: OpenPaymentState,
    payload: PaymentTaskPayload,
    client: PoolClient,
  ): Promise<'cancelled' | 'completed'> {
    const answer = await this.gateway.cancel(state.providerReference!);
    if (answer.outcome === 'cancelled') return 'cancelled';
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
      { client },
    );
    await this.moneyBack.giveBackIfOrderGone(client, after, this.context(payload));
    return 'completed';
  }
}
