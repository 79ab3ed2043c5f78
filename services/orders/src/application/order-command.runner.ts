import { Inject, Injectable } from '@nestjs/common';
import {
  CommandHandler,
  runWrites,
  type HandleResult,
  type KnownStream,
  type RecordedEvent,
  type Write,
} from '@fulfil/event-store';
import { DeadlineScheduler, integrationEventsWrite } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import type { OrderCommand, PlaceOrder } from '../domain/order.commands';
import { orderDecider, orderStreamId } from '../domain/order.decider';
import type { OrderEvent } from '../domain/order.events';
import type { OrderState } from '../domain/order.state';
import { OrderSummaryProjection } from '../infrastructure/order-summary.projection';
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
   * An open transaction to run in (the inbox's, a deadline's); default: a new one. A further
   * command on an order this transaction already changed is decided without reading it again
   * (`HandleOptions.client` of the event store).
   */
  readonly client?: PoolClient;
}

/** How `handle` runs a command: `run`'s options, or a placement's. */
interface HandleHow extends RunOptions {
  /** The stream as known without reading it (a placement: the empty stream of a new id). */
  readonly known?: KnownStream<OrderState>;
  /** More writes for the same transaction, given the events as stored (a placement's). */
  readonly alsoWrite?: AlsoWrite;
  /** A statement ahead of the append (a placement's key guard): `HandleOptions.beforeAppend`. */
  readonly beforeAppend?: Write;
}

/** The caller's writes to commit with a command's events, made once they are stored. */
export type AlsoWrite = (recorded: readonly RecordedEvent[]) => readonly (Write | undefined)[];

export const CONFIRMATION_DEADLINE_KIND = 'order-confirmation-timeout';
export const confirmationDeadlineId = (orderId: string) => `order-confirmation:${orderId}`;

/** An order id no stream has yet: the placement decides on it without reading. */
const NEW_ORDER: KnownStream<OrderState> = { state: orderDecider.initialState(), version: 0 };

/** A command's outcome, with its events as stored (none when the command was a no-op). */
export type RunResult = HandleResult<OrderEvent, OrderState>;

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
    @Inject(DeadlineScheduler) private readonly deadlines: DeadlineScheduler,
    @Inject(ORDERS_SETTINGS) private readonly settings: OrdersSettings,
  ) {}

  run(
    orderId: string,
    command: OrderCommand,
    context: CommandContext,
    { client }: RunOptions = {},
  ): Promise<RunResult> {
    return this.handle(orderId, command, context, { ...(client && { client }) });
  }

  /**
   * Places a new order: its stream is empty, so the command is decided on the initial state
   * without reading it (`known`), and appended only if the stream is still empty. Otherwise (a
   * retry of the same Idempotency-Key, a racing twin) or when the command is refused, it is
   * decided on the stream as stored — exactly the answer of a load-first run, e.g.
   * ORDER.ALREADY_PLACED. `alsoWrite` gives what commits with the placed events (the delivery
   * address; the request's answer, `idempotentAnswerWrite`), `beforeAppend` what goes first
   * (the request's key guard, `idempotentKeyGuard`).
   */
  place(
    orderId: string,
    command: PlaceOrder,
    context: CommandContext,
    alsoWrite: AlsoWrite,
    beforeAppend?: Write,
  ): Promise<RunResult> {
    return this.handle(orderId, command, context, { known: NEW_ORDER, alsoWrite, beforeAppend });
  }

  private handle(
    orderId: string,
    command: OrderCommand,
    context: CommandContext,
    { client, known, alsoWrite, beforeAppend }: HandleHow,
  ): Promise<RunResult> {
    return this.commands.handle(orderStreamId(orderId), command, {
      decider: orderDecider,
      metadata: { ...context },
      ...(client && { client }),
      ...(known && { known }),
      ...(beforeAppend && { beforeAppend }),
      afterAppend: (transaction, recorded, { mayCommit }) =>
        this.writeAlongside(
          transaction,
          orderId,
          recorded,
          context,
          alsoWrite?.(recorded) ?? [],
          mayCommit,
        ),
    });
  }

  /**
   * Everything that commits with the order's events, in one statement after their append (the
   * writes touch different rows: see `runWrites`): the caller's writes, the summary, the outbox,
   * the deadline. In a transaction of its own (a placement, a cancel), COMMIT goes out with it.
   */
  private writeAlongside(
    client: PoolClient,
    orderId: string,
    recorded: readonly RecordedEvent[],
    context: CommandContext,
    alsoWrites: readonly (Write | undefined)[],
    commit: boolean,
  ): Promise<void> {
    return runWrites(
      client,
      [
        ...alsoWrites,
        this.summaries.writeFor(recorded),
        integrationEventsWrite(toIntegrationEvents(recorded), {
          correlationId: context.correlationId,
          time: context.now,
          ...(context.causationId && { causationId: context.causationId }),
          ...(context.traceparent && { traceparent: context.traceparent }),
          ...(context.tracestate && { tracestate: context.tracestate }),
        }),
        this.deadlineWrite(orderId, recorded, context),
      ],
      { commit },
    );
  }

  /** The safety deadline follows the order: set at placement, gone once it is decided. */
  private deadlineWrite(
    orderId: string,
    recorded: readonly { type: string }[],
    context: CommandContext,
  ): Write | undefined {
    const types = recorded.map((event) => event.type);
    if (types.includes('OrderConfirmed') || types.includes('OrderCancelled')) {
      return this.deadlines.cancelWrite(confirmationDeadlineId(orderId));
    }
    if (!types.includes('OrderPlaced')) return undefined;
    const dueAt = new Date(
      Date.parse(context.now) + this.settings.confirmationTimeoutSeconds * 1000,
    );
    return this.deadlines.scheduleWrite({
      id: confirmationDeadlineId(orderId),
      kind: CONFIRMATION_DEADLINE_KIND,
      dueAt,
      payload: { orderId, correlationId: context.correlationId },
    });
  }
}
