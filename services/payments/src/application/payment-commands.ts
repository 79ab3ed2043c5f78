import { Injectable } from '@nestjs/common';
import { isDomainError } from '@fulfil/decider';
import {
  CommandHandler,
  EventStore,
  runWrites,
  type KnownStream,
  type RecordedEvent,
  type Write,
} from '@fulfil/event-store';
import { integrationEventsWrite } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import type { PaymentCommand } from '../domain/payment.commands';
import { paymentDecider } from '../domain/payment.decider';
import { PaymentErrorCodes, PaymentNotFound } from '../domain/payment.errors';
import type { PaymentEvent } from '../domain/payment.events';
import type { PaymentState } from '../domain/payment.state';
import { toIntegrationEvents } from '../infrastructure/payment-integration-events';

/** Who and what caused a command: copied onto its events and their integration events. */
export interface CommandContext {
  readonly correlationId: string;
  readonly causationId?: string;
  readonly actor: string;
}

/** A payment id just generated: no stream yet, and nobody else can know the id. */
export const NEW_PAYMENT: KnownStream<PaymentState> = {
  state: paymentDecider.initialState(),
  version: 0,
};

export interface ExecuteOptions {
  /** Run in this open transaction (inbox, deadline) instead of a new one. */
  readonly client?: PoolClient;
  /**
   * The payment as the caller read it (or {@link NEW_PAYMENT}): decided on without reading the
   * stream again; should it be stale, the append refuses it and the stream is read after all.
   */
  readonly known?: KnownStream<PaymentState>;
  /**
   * More writes for the append's transaction, sent with the outbox rows in one statement (so
   * they must touch other rows: see `runWrites`) — e.g. the deadlines the command makes due.
   */
  readonly alsoWrite?: (recorded: readonly RecordedEvent[]) => readonly (Write | undefined)[];
}

export function paymentStreamId(paymentId: string): string {
  return `payment-${paymentId}`;
}

/**
 * Runs payment commands through the event store: decide on the latest state (retrying on a
 * concurrent append — that is what serialises racing refunds), append, and write the
 * integration events to the outbox in the same transaction.
 */
@Injectable()
export class PaymentCommands {
  constructor(
    private readonly handler: CommandHandler,
    private readonly store: EventStore,
  ) {}

  async execute(
    paymentId: string,
    command: PaymentCommand,
    context: CommandContext,
    options: ExecuteOptions = {},
  ): Promise<{ events: readonly PaymentEvent[]; state: PaymentState }> {
    try {
      const result = await this.handler.handle(paymentStreamId(paymentId), command, {
        decider: paymentDecider,
        metadata: {
          correlationId: context.correlationId,
          ...(context.causationId === undefined ? {} : { causationId: context.causationId }),
          actor: context.actor,
          now: command.data.now,
        },
        ...(options.client ? { client: options.client } : {}),
        ...(options.known ? { known: options.known } : {}),
        // In a transaction of its own (no `client`), COMMIT goes out with these writes.
        afterAppend: (client, recorded, { mayCommit }) =>
          runWrites(
            client,
            [
              integrationEventsWrite(toIntegrationEvents(recorded), {
                correlationId: context.correlationId,
                ...(context.causationId === undefined ? {} : { causationId: context.causationId }),
                time: command.data.now,
              }),
              ...(options.alsoWrite?.(recorded) ?? []),
            ],
            { commit: mayCommit },
          ),
      });
      return { events: result.events, state: result.state };
    } catch (error) {
      if (isDomainError(error, PaymentErrorCodes.notFound)) throw new PaymentNotFound(paymentId);
      throw error;
    }
  }

  /**
   * The payment as this process last saw it committed, or read now (`CommandHandler.current`):
   * for checks before a command executed with it as `known`. It may be behind the stored
   * stream when another process wrote it; only the append that follows is sure to be right.
   */
  current(paymentId: string, client?: PoolClient): Promise<KnownStream<PaymentState>> {
    return this.handler.current(paymentStreamId(paymentId), paymentDecider, undefined, client);
  }

  /** The payment's current state, its recorded history and the version they are at. */
  async load(
    paymentId: string,
    client?: PoolClient,
  ): Promise<{ state: PaymentState; history: readonly RecordedEvent[]; version: number }> {
    const history = await this.store.readStream(
      paymentStreamId(paymentId),
      client ? { client } : {},
    );
    const state = history.reduce(
      (current, event) =>
        paymentDecider.evolve(current, { type: event.type, data: event.data } as PaymentEvent),
      paymentDecider.initialState(),
    );
    return { state, history, version: history.at(-1)?.streamVersion ?? 0 };
  }
}
