import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  CloudEventEnvelope,
  OrderCancelledV1Data,
  OrderLinesCancelledV1Data,
  OrderPlacedV1Data,
  OrderShippedV1Data,
  OrderStockReservedV1Data,
  ShipmentDeliveredV1Data,
} from '@fulfil/contracts';
import { isDomainError } from '@fulfil/decider';
import { runWrites } from '@fulfil/event-store';
import { DeadlineScheduler } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import { isOnlineMethod, METHOD_POLICIES } from '../domain/payment-method';
import { refundableAmount } from '../domain/payment.state';
import { paymentOrders } from '../infrastructure/persistence/payment-orders.repository';
import { PAYMENTS_SETTINGS, type PaymentsSettings } from '../payments.settings';
import { deterministicUuid } from './deterministic-id';
import { MoneyBackService } from './money-back.service';
import { NEW_PAYMENT, PaymentCommands, type CommandContext } from './payment-commands';
import { paymentTasks } from './payment-deadlines';

/**
 * What payments does with the events of other services (flow steps 4, 5 and 8). Each method
 * runs in the inbox transaction `client`: its writes commit with the event's inbox row, so a
 * redelivered event changes nothing.
 */
@Injectable()
export class OrderEventsHandler {
  private readonly logger = new Logger(OrderEventsHandler.name);

  constructor(
    private readonly commands: PaymentCommands,
    private readonly moneyBack: MoneyBackService,
    @Inject(DeadlineScheduler) private readonly scheduler: DeadlineScheduler,
    @Inject(PAYMENTS_SETTINGS) private readonly settings: PaymentsSettings,
  ) {}

  async orderPlaced(
    data: OrderPlacedV1Data,
    envelope: CloudEventEnvelope,
    client: PoolClient,
  ): Promise<void> {
    await paymentOrders.remember(
      client,
      {
        orderId: data.orderId,
        customerId: data.customerId,
        method: data.paymentMethod,
        amount: data.totals.total,
      },
      envelope.time,
    );
  }

  async linesCancelled(
    data: OrderLinesCancelledV1Data,
    envelope: CloudEventEnvelope,
    client: PoolClient,
  ): Promise<void> {
    const order = await paymentOrders.lock(client, data.orderId);
    if (!order) return;
    if (!order.paymentId) {
      await paymentOrders.updateAmount(client, data.orderId, data.newTotals.total);
      return;
    }
    if (data.refundDue.amountMinor <= 0) return;
    const { state } = await this.commands.load(order.paymentId, client);
    if (state.status !== 'captured') {
      this.logger.warn(
        `lines of order ${data.orderId} cancelled with refund due, payment is ${state.status}`,
      );
      return;
    }
    const refundable = refundableAmount(state);
    const amount = {
      ...data.refundDue,
      amountMinor: Math.min(data.refundDue.amountMinor, refundable.amountMinor),
    };
    if (amount.amountMinor <= 0) return;
    const refundId = deterministicUuid('lines-cancelled', envelope.id);
    const paymentId = order.paymentId;
    await this.commands.execute(
      paymentId,
      {
        type: 'RequestRefund',
        data: {
          refundId,
          amount,
          kind: amount.amountMinor === refundable.amountMinor ? 'full' : 'partial',
          reason: `order lines cancelled (${data.reason})`,
          now: new Date().toISOString(),
        },
      },
      this.context(envelope),
      {
        client,
        alsoWrite: () => [
          paymentTasks(this.scheduler).refund({
            paymentId,
            refundId,
            correlationId: envelope.correlationId,
          }),
        ],
      },
    );
  }

  /** One intent per order: the order row is claimed (locked) with its payment id first. */
  async stockReserved(
    data: OrderStockReservedV1Data,
    envelope: CloudEventEnvelope,
    client: PoolClient,
  ): Promise<void> {
    const paymentId = randomUUID();
    const order = await paymentOrders.claimForPayment(client, data.orderId, paymentId);
    if (!order) {
      // Its intent exists or it was cancelled (nothing to do) — or it was never placed: say so.
      if (!(await paymentOrders.find(client, data.orderId))) {
        this.logger.warn(`OrderStockReserved for unknown order ${data.orderId}: ignored`);
      }
      return;
    }
    const now = new Date();
    const ttlSeconds =
      order.method === 'cash-in-store'
        ? this.settings.cashInStoreTtlSeconds
        : this.settings.paymentTtlSeconds;
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    await this.commands.execute(
      paymentId,
      {
        type: 'CreatePaymentIntent',
        data: {
          paymentId,
          orderId: order.orderId,
          customerId: order.customerId,
          method: order.method,
          amount: order.amount,
          expiresAt: expiresAt.toISOString(),
          now: now.toISOString(),
        },
      },
      this.context(envelope),
      {
        client,
        // A fresh id, claimed above: its stream cannot exist, no need to read it.
        known: NEW_PAYMENT,
        alsoWrite: () => {
          const tasks = paymentTasks(this.scheduler);
          const payload = { paymentId, correlationId: envelope.correlationId };
          return [
            isOnlineMethod(order.method) ? tasks.register(payload) : undefined,
            order.method !== 'cash-on-delivery' ? tasks.expire(payload, expiresAt) : undefined,
          ];
        },
      },
    );
  }

  async orderCancelled(
    data: OrderCancelledV1Data,
    envelope: CloudEventEnvelope,
    client: PoolClient,
  ): Promise<void> {
    const order = await paymentOrders.lock(client, data.orderId);
    if (!order) return;
    await paymentOrders.markCancelled(client, data.orderId);
    if (!order.paymentId) return;
    const { state } = await this.commands.load(order.paymentId, client);
    await this.moneyBack.giveBackIfOrderGone(client, state, this.context(envelope));
  }

  /** Card payments are captured when the order ships (the first parcel). */
  async orderShipped(
    data: OrderShippedV1Data,
    envelope: CloudEventEnvelope,
    client: PoolClient,
  ): Promise<void> {
    const order = await paymentOrders.find(client, data.orderId);
    if (!order?.paymentId || METHOD_POLICIES[order.method].captureMode !== 'manual') return;
    await runWrites(client, [
      paymentTasks(this.scheduler).capture({
        paymentId: order.paymentId,
        correlationId: envelope.correlationId,
      }),
    ]);
  }

  async shipmentDelivered(
    data: ShipmentDeliveredV1Data,
    envelope: CloudEventEnvelope,
    client: PoolClient,
  ): Promise<void> {
    const order = await paymentOrders.find(client, data.orderId);
    if (!order?.paymentId || order.method !== 'cash-on-delivery') return;
    try {
      await this.commands.execute(
        order.paymentId,
        {
          type: 'SettleCashOnDelivery',
          data: {
            shipmentId: data.shipmentId,
            carrier: data.carrier,
            now: new Date().toISOString(),
          },
        },
        this.context(envelope),
        { client },
      );
    } catch (error) {
      // Delivered although cancelled: a matter for operations, not a poison message.
      if (!isDomainError(error)) throw error;
      this.logger.warn(`cash on delivery of order ${data.orderId} not settled: ${error.message}`);
    }
  }

  private context(envelope: CloudEventEnvelope): CommandContext {
    return {
      correlationId: envelope.correlationId,
      causationId: envelope.id,
      actor: envelope.source,
    };
  }
}
