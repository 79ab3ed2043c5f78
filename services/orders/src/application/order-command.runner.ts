import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type HandleResult, type RecordedEvent } from '@fulfil/event-store';
import { DeadlineScheduler, enqueueIntegrationEvents } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import type { OrderCommand, PlaceOrder } from '../domain/order.commands';
import { orderDecider, orderStreamId } from '../domain/order.decider';
import type { OrderEvent } from '../domain/order.events';
import type { OrderState } from '../domain/order.state';
import { OrderSummaryProjection } from '../infrastructure/order-summary.projection';
import { TransactionStateMemo } from '../infrastructure/transaction-state.memo';
import { ORDERS_SETTINGS, type OrdersSettings } from '../orders.settings';
import { toIntegrationEvents } from './order-integration-events';

/** Who and what caused a command: copied onto its events and the published messages. */
export interface CommandContext {
  readonly correlationId: string;
  readonly causationId?: string;
  readonly actor: string;
  /** ISO-8601 UTC; the command's `at` and the events' recorded time. */
  readonly now: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

export interface RunOptions {
  /**
   * An open transaction to run in (the inbox's, a deadline's); default: a new one. It must be
   * the only transaction of this checkout of the connection (as `withTransaction` runs it):
   * what the runner learns of an order in it is kept until the connection is released.
   */
  readonly client?: PoolClient;
  /** More writes for the same transaction, after the events (e.g. the delivery address). */
  readonly alsoWrite?: (client: PoolClient) => Promise<void>;
}

export const CONFIRMATION_DEADLINE_KIND = 'order-confirmation-timeout';
export const confirmationDeadlineId = (orderId: string) => `order-confirmation:${orderId}`;

/** An order id no stream has yet: the placement decides on it without reading. */
const NEW_ORDER = { state: orderDecider.initialState(), version: 0 };

/** A command's outcome, with its events as stored (none when the command was a no-op). */
export interface RunResult extends HandleResult<OrderEvent, OrderState> {
  readonly recorded: readonly RecordedEvent[];
}

/**
 * Runs a command on an order's stream and, in the same transaction as the events: updates
 * the order summary, writes the integration events to the outbox, and keeps the safety
 * deadline in step (scheduled at placement, removed once confirmed or cancelled).
 */
@Injectable()
export class OrderCommandRunner {
  constructor(
    private readonly commands: CommandHandler,
    private readonly summaries: OrderSummaryProjection,
    private readonly memo: TransactionStateMemo,
    @Inject(DeadlineScheduler) private readonly deadlines: DeadlineScheduler,
    @Inject(ORDERS_SETTINGS) private readonly settings: OrdersSettings,
  ) {}

  async run(
    orderId: string,
    command: OrderCommand,
    context: CommandContext,
    options: RunOptions = {},
  ): Promise<RunResult> {
    // What this transaction appended to the order already: a command that changes nothing on it
    // is a no-op without a read; one that does is decided on it too (a stale state costs a retry).
    const known =
      options.client && this.memo.recall<OrderState>(options.client, orderStreamId(orderId));
    if (known && orderDecider.decide(command, known.state).length === 0) return noOp(known);
    return this.handle(orderId, command, context, options, known);
  }

  /**
   * Places a new order: its stream is empty, so the command is decided on the initial state
   * without reading it (`known`), and appended only if the stream is still empty. Otherwise (a
   * retry of the same Idempotency-Key, a racing twin) or when the command is refused, it is
   * decided on the stream as stored — exactly the answer of a load-first run, e.g.
   * ORDER.ALREADY_PLACED.
   */
  place(
    orderId: string,
    command: PlaceOrder,
    context: CommandContext,
    alsoWrite: (client: PoolClient) => Promise<void>,
  ): Promise<RunResult> {
    return this.handle(orderId, command, context, { alsoWrite }, NEW_ORDER);
  }

  private async handle(
    orderId: string,
    command: OrderCommand,
    context: CommandContext,
    options: RunOptions,
    known?: { state: OrderState; version: number },
  ): Promise<RunResult> {
    const streamId = orderStreamId(orderId);
    let recorded: readonly RecordedEvent[] = [];
    const result = await this.commands.handle(streamId, command, {
      decider: orderDecider,
      metadata: { ...context },
      ...(options.client && { client: options.client }),
      ...(known && { known }),
      afterAppend: async (client, appended) => {
        recorded = appended;
        await this.writeAlongside(client, orderId, appended, context, options.alsoWrite);
      },
    });
    if (options.client && recorded.length > 0) {
      const { state, nextExpectedVersion: version } = result;
      this.memo.remember(options.client, streamId, { state, version });
    }
    return { ...result, recorded };
  }

  /** Everything that commits with the order's events (in the order the guarantees need). */
  private async writeAlongside(
    client: PoolClient,
    orderId: string,
    recorded: readonly RecordedEvent[],
    context: CommandContext,
    alsoWrite?: (client: PoolClient) => Promise<void>,
  ): Promise<void> {
    await alsoWrite?.(client);
    await this.summaries.applyAll(recorded, client);
    await enqueueIntegrationEvents(client, toIntegrationEvents(recorded), {
      correlationId: context.correlationId,
      time: context.now,
      ...(context.causationId && { causationId: context.causationId }),
      ...(context.traceparent && { traceparent: context.traceparent }),
      ...(context.tracestate && { tracestate: context.tracestate }),
    });
    await this.followDeadline(client, orderId, recorded, context);
  }

  private async followDeadline(
    client: PoolClient,
    orderId: string,
    recorded: readonly { type: string }[],
    context: CommandContext,
  ): Promise<void> {
    const types = recorded.map((event) => event.type);
    if (types.includes('OrderConfirmed') || types.includes('OrderCancelled')) {
      await this.deadlines.cancel(client, confirmationDeadlineId(orderId));
    } else if (types.includes('OrderPlaced')) {
      const dueAt = new Date(
        Date.parse(context.now) + this.settings.confirmationTimeoutSeconds * 1000,
      );
      await this.deadlines.schedule(client, {
        id: confirmationDeadlineId(orderId),
        kind: CONFIRMATION_DEADLINE_KIND,
        dueAt,
        payload: { orderId, correlationId: context.correlationId },
      });
    }
  }
}

/** The no-op result on the state a transaction appended (exactly what a load would find). */
function noOp(known: { state: OrderState; version: number }): RunResult {
  return {
    events: [],
    recorded: [],
    globalPositions: [],
    nextExpectedVersion: known.version,
    state: known.state,
    attempts: 1,
  };
}
