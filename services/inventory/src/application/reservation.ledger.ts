import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, EventStore } from '@fulfil/event-store';
import { DeadlineScheduler, enqueueIntegrationEvents } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import type { ReservationCommand } from '../domain/reservation/reservation.commands';
import { reservationDecider } from '../domain/reservation/reservation.decider';
import type { ReservationEvent } from '../domain/reservation/reservation.events';
import type { ReservationState } from '../domain/reservation/reservation.state';
import { ReservationsRepository } from '../infrastructure/reservations.repository';
import { eventMetadata, outboxContext, type CommandContext } from './command-context';
import { reservationIntegrationEvents } from './integration-events';

export const reservationStreamId = (reservationId: string) => `reservation-${reservationId}`;

export const RESERVATION_EXPIRY = 'inventory.reservation-expiry';
export const expiryDeadlineId = (reservationId: string) => `reservation-expiry:${reservationId}`;

/** What the expiry deadline carries. */
export interface ReservationExpiryPayload {
  readonly reservationId: string;
  readonly correlationId: string;
}

/**
 * Runs a command against a reservation's stream inside the caller's transaction — which must
 * hold the reservation's lock — and, in the same transaction, updates the reservation read
 * model, the expiry deadline and the outbox (StockReserved, StockReleased, …).
 */
@Injectable()
export class ReservationLedger {
  private readonly handler: CommandHandler;

  constructor(
    store: EventStore,
    @Inject(DeadlineScheduler) private readonly deadlines: DeadlineScheduler,
    private readonly reservations: ReservationsRepository,
  ) {
    this.handler = new CommandHandler(store, { maxAttempts: 1 });
  }

  async execute(
    client: PoolClient,
    command: ReservationCommand,
    context: CommandContext,
  ): Promise<{ events: readonly ReservationEvent[]; state: ReservationState }> {
    const reservationId = command.data.reservationId;
    const { events, state } = await this.handler.handle(
      reservationStreamId(reservationId),
      command,
      { decider: reservationDecider, metadata: eventMetadata(context), client },
    );
    if (events.length === 0) return { events, state };
    const first = events[0]!;
    if (first.type === 'ReservationMade' || first.type === 'ReservationFailed') {
      await this.reservations.insert(client, first);
    } else {
      await this.reservations.update(client, state);
    }
    if (first.type === 'ReservationMade') {
      await this.deadlines.schedule<ReservationExpiryPayload>(client, {
        id: expiryDeadlineId(reservationId),
        kind: RESERVATION_EXPIRY,
        dueAt: new Date(first.data.expiresAt),
        payload: { reservationId, correlationId: context.correlationId },
      });
    } else if (state.status !== 'active') {
      // Firm, released or committed: nothing left to expire.
      await this.deadlines.cancel(client, expiryDeadlineId(reservationId));
    }
    await enqueueIntegrationEvents(
      client,
      reservationIntegrationEvents(events).map((event) => ({ event })),
      outboxContext(context),
    );
    return { events, state };
  }

  async load(client: PoolClient, reservationId: string): Promise<ReservationState> {
    const { state } = await this.handler.load(
      reservationStreamId(reservationId),
      reservationDecider,
      undefined,
      client,
    );
    return state;
  }
}
