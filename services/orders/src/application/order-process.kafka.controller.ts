import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  InventoryEventTypes,
  PaymentsEventTypes,
  type CloudEventEnvelope,
  type IntegrationEvent,
  type PaymentAuthorisedV1Data,
  type PaymentCapturedV1Data,
  type PaymentFailedV1Data,
  type PaymentIntentCreatedV1Data,
  type PaymentTimedOutV1Data,
  type StockReleasedV1Data,
  type StockReservationFailedV1Data,
  type StockReservedV1Data,
} from '@fulfil/contracts';
import { InboxContext, type InboxPayload } from '@fulfil/messaging';
import { SERVICE_LOGGER } from '@fulfil/service-kit';
import type { Logger } from 'pino';
import type { OrderCommand } from '../domain/order.commands';
import { intentConfirmsOrder } from '../domain/payment.decisions';
import { ORDERS_SETTINGS, type OrdersSettings } from '../orders.settings';
import { OrderCommandRunner, type CommandContext } from './order-command.runner';

/**
 * The order process manager (flow steps 3 and 6): inventory's and payments' answers become
 * commands on the Order decider, run inside the inbox transaction (a redelivered event
 * changes nothing). Answers the order no longer needs (duplicates, late results after a
 * cancel or confirmation, orders unknown here) are absorbed: no error, no dead letter.
 */
@Controller()
export class OrderProcessManager {
  constructor(
    private readonly runner: OrderCommandRunner,
    @Inject(ORDERS_SETTINGS) private readonly settings: OrdersSettings,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern(InventoryEventTypes.StockReserved)
  async onStockReserved(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1<StockReservedV1Data>(event, InventoryEventTypes.StockReserved);
    if (!data) return;
    const { orderId, reservationId, expiresAt, shortages } = data;
    await this.apply(orderId, envelope, ctx, (at) => ({
      type: 'RecordStockReserved',
      data: {
        reservationId,
        expiresAt,
        // `available` of a shortage is what inventory could reserve of `requested`.
        shortages: shortages.map((s) => ({
          ...(s.lineId !== undefined && { lineId: s.lineId }),
          skuId: s.skuId,
          quantity: s.requested - s.available,
        })),
        policy: this.settings.shortagePolicy,
        at,
      },
    }));
  }

  @EventPattern(InventoryEventTypes.StockReservationFailed)
  async onReservationFailed(
    @Payload() { event, envelope }: InboxPayload,
    @Ctx() ctx: InboxContext,
  ) {
    const data = v1<StockReservationFailedV1Data>(
      event,
      InventoryEventTypes.StockReservationFailed,
    );
    if (!data) return;
    const { orderId, reservationId, reason } = data;
    await this.apply(orderId, envelope, ctx, (at) => ({
      type: 'RecordStockReservationFailed',
      data: { reservationId, reason, at },
    }));
  }

  /** Only an expiry matters here; releases orders asked for (cancel, lines) are echoes. */
  @EventPattern(InventoryEventTypes.StockReleased)
  async onStockReleased(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1<StockReleasedV1Data>(event, InventoryEventTypes.StockReleased);
    if (!data) return;
    if (data.reason !== 'reservation-expired') return;
    const { orderId, reservationId } = data;
    await this.apply(orderId, envelope, ctx, (at) => ({
      type: 'RecordReservationExpired',
      data: { reservationId, at },
    }));
  }

  @EventPattern(PaymentsEventTypes.PaymentIntentCreated)
  async onIntentCreated(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1<PaymentIntentCreatedV1Data>(event, PaymentsEventTypes.PaymentIntentCreated);
    if (!data) return;
    const { orderId, paymentId, customerAction } = data;
    // The customer still has to pay (QR code, redirect): such an intent changes no order, in
    // whatever state, so the order is not even loaded. Cash intents confirm it.
    if (!intentConfirmsOrder(customerAction)) return this.absorbed(orderId, envelope);
    await this.apply(orderId, envelope, ctx, (at) => ({
      type: 'RecordPaymentIntent',
      data: { paymentId, customerAction, at },
    }));
  }

  @EventPattern(PaymentsEventTypes.PaymentAuthorised)
  async onAuthorised(@Payload() payload: InboxPayload, @Ctx() ctx: InboxContext) {
    await this.paymentReceived(payload, ctx);
  }

  @EventPattern(PaymentsEventTypes.PaymentCaptured)
  async onCaptured(@Payload() payload: InboxPayload, @Ctx() ctx: InboxContext) {
    await this.paymentReceived(payload, ctx);
  }

  @EventPattern(PaymentsEventTypes.PaymentFailed)
  async onFailed(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1<PaymentFailedV1Data>(event, PaymentsEventTypes.PaymentFailed);
    if (!data) return;
    const { orderId, paymentId, reason } = data;
    await this.apply(orderId, envelope, ctx, (at) => ({
      type: 'RecordPaymentFailed',
      data: { paymentId, reason, at },
    }));
  }

  @EventPattern(PaymentsEventTypes.PaymentTimedOut)
  async onTimedOut(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1<PaymentTimedOutV1Data>(event, PaymentsEventTypes.PaymentTimedOut);
    if (!data) return;
    const { orderId, paymentId } = data;
    await this.apply(orderId, envelope, ctx, (at) => ({
      type: 'RecordPaymentTimedOut',
      data: { paymentId, at },
    }));
  }

  /** The first of PaymentAuthorised / PaymentCaptured pays and confirms; the second is absorbed. */
  private async paymentReceived({ event, envelope }: InboxPayload, ctx: InboxContext) {
    const data =
      v1<PaymentAuthorisedV1Data>(event, PaymentsEventTypes.PaymentAuthorised) ??
      v1<PaymentCapturedV1Data>(event, PaymentsEventTypes.PaymentCaptured);
    if (!data) return;
    const { orderId, paymentId, method, amount } = data;
    const stage = event.type === PaymentsEventTypes.PaymentAuthorised ? 'authorised' : 'captured';
    const result = await this.apply(orderId, envelope, ctx, (at) => ({
      type: 'RecordPaymentReceived',
      data: { paymentId, method, amount: { ...amount }, stage, at },
    }));
    if (result.state.status === 'cancelled') {
      // Payments refunds (or voids) by itself when it sees the OrderCancelled; worth a trace.
      this.logger.warn(
        { orderId, paymentId, stage, eventId: envelope.id },
        'payment result for a cancelled order: nothing to do here, payments refunds it',
      );
    }
  }

  private async apply(
    orderId: string,
    envelope: CloudEventEnvelope,
    ctx: InboxContext,
    command: (at: string) => OrderCommand,
  ) {
    const context = commandContext(envelope);
    const result = await this.runner.run(orderId, command(context.now), context, {
      client: ctx.getClient(),
    });
    if (result.events.length === 0) this.absorbed(orderId, envelope, result.state.status);
    return result;
  }

  private absorbed(orderId: string, envelope: CloudEventEnvelope, status?: string): void {
    this.logger.debug(
      { orderId, eventType: envelope.type, eventId: envelope.id, status },
      'event absorbed: nothing changes for the order',
    );
  }
}

/**
 * For the inbox's `skip`: a payment intent the customer has yet to pay (QR code, redirect)
 * changes no order in any state, so it needs no transaction and no inbox row. (The handler
 * absorbs it all the same, should it reach it.)
 */
export function changesNoOrder(event: IntegrationEvent): boolean {
  const intent = v1<PaymentIntentCreatedV1Data>(event, PaymentsEventTypes.PaymentIntentCreated);
  return intent !== undefined && !intentConfirmsOrder(intent.customerAction);
}

/**
 * The data of `event` when it is version 1 of `type` (the inbox validated it against that
 * contract); `undefined` for another type or a version this service does not know yet.
 */
function v1<Data>(event: IntegrationEvent, type: string): Data | undefined {
  return event.type === type && event.version === 1 ? (event.data as Data) : undefined;
}

/** The command's context from the consumed event: same flow (correlation), caused by it. */
function commandContext(envelope: CloudEventEnvelope): CommandContext {
  return {
    correlationId: envelope.correlationId,
    causationId: envelope.id,
    actor: envelope.source,
    now: new Date().toISOString(),
    ...(envelope.traceparent !== undefined && { traceparent: envelope.traceparent }),
    ...(envelope.tracestate !== undefined && { tracestate: envelope.tracestate }),
  };
}
