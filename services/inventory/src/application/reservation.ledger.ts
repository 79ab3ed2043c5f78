import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, EventStore, type KnownStream } from '@fulfil/event-store';
import { DeadlineScheduler } from '@fulfil/messaging';
import type { PoolClient } from 'pg';
import type { ReservationCommand } from '../domain/reservation/reservation.commands';
import { reservationDecider } from '../domain/reservation/reservation.decider';
import type { ReservationEvent } from '../domain/reservation/reservation.events';
import type { ReservationState } from '../domain/reservation/reservation.state';
import { ReservationsRepository } from '../infrastructure/reservations.repository';
import { eventMetadata, type CommandContext } from './command-context';
import { reservationIntegrationEvents } from './integration-events';
import type { PendingWrites } from './pending-writes';

export const reservationStreamId = (reservationId: string) => `reservation-${reservationId}`;

export const RESERVATION_EXPIRY = 'inventory.reservation-expiry';
export const expiryDeadlineId = (reservationId: string) => `reservation-expiry:${reservationId}`;

/** What the expiry deadline carries. */
export interface ReservationExpiryPayload {
  readonly reservationId: string;
  readonly correlationId: string;
}

/** A reservation's state and the stream version it was folded to. */
export type LoadedReservation = KnownStream<ReservationState>;

/**
 * A reservation id that was just generated: no stream, nothing to load, and no other
 * transaction can know the id before this one commits.
 */
export const NEW_RESERVATION: LoadedReservation = {
  state: reservationDecider.initialState(),
  version: 0,
};

/** What a command decided against a loaded reservation, not yet stored. */
export interface ReservationDecision {
  readonly reservationId: string;
  /** The version the decision was taken at: the append expects the stream still there. */
  readonly expectedVersion: number;
  /** The event at that version, when known: the append expects that very one there. */
  readonly expectedLastEventId?: string;
  /** As stored: with the command's metadata. */
  readonly events: readonly ReservationEvent[];
  readonly state: ReservationState;
}

/**
 * Runs commands against a reservation's stream inside the caller's transaction — which must
 * hold the reservation's lock (or own a brand-new reservation id) — in two steps: `decide`
 * (pure, so the caller can lock what the decision touches before anything is written) and
 * `save`, which appends and, in the same transaction, updates the reservation read model, the
 * expiry deadline and the outbox (StockReserved, StockReleased, …).
 *
 * The caller loads the state once under the lock (or takes it `remembered`) and decides against
 * it: nobody else can append meanwhile, and the append's expected version refuses anything that
 * slipped past anyway (a remembered state another instance has moved on, or one of events a
 * database crash took back).
 */
@Injectable()
export class ReservationLedger {
  private readonly handler: CommandHandler;

  constructor(
    private readonly store: EventStore,
    @Inject(DeadlineScheduler) private readonly deadlines: DeadlineScheduler,
    private readonly reservations: ReservationsRepository,
  ) {
    this.handler = new CommandHandler(store);
  }

  /**
   * The reservation as this process last saw it committed (`load` and `save` remember it), with
   * no read; undefined when not remembered. Only a first guess: another instance of the service
   * may have moved it on since, and `save`'s append then refuses the decision (version-mismatch).
   */
  remembered(reservationId: string): LoadedReservation | undefined {
    const known = this.store.committedStreams.get<ReservationState>(
      reservationStreamId(reservationId),
      reservationDecider,
    );
    return known && known.version > 0 ? known : undefined;
  }

  async load(client: PoolClient, reservationId: string): Promise<LoadedReservation> {
    return this.handler.load(
      reservationStreamId(reservationId),
      reservationDecider,
      undefined,
      client,
    );
  }

  decide(
    command: ReservationCommand,
    loaded: LoadedReservation,
    context: CommandContext,
  ): ReservationDecision {
    const metadata = eventMetadata(context);
    const events = reservationDecider
      .decide(command, loaded.state)
      .map((event) => ({ ...event, metadata }));
    return {
      reservationId: command.data.reservationId,
      expectedVersion: loaded.version,
      expectedLastEventId: loaded.lastEventId,
      events,
      state: events.reduce(reservationDecider.evolve, loaded.state),
    };
  }

  /**
   * Appends a decision's events; the reservation row, its expiry deadline and the integration
   * events go to `pending`, which the caller sends when its unit of work is done.
   */
  async save(
    client: PoolClient,
    decision: ReservationDecision,
    context: CommandContext,
    pending: PendingWrites,
  ): Promise<void> {
    const { reservationId, events, state } = decision;
    if (events.length === 0) return;
    const streamId = reservationStreamId(reservationId);
    const { nextExpectedVersion, recorded } = await this.store.appendToStream(streamId, events, {
      expectedVersion: decision.expectedVersion,
      expectedLastEventId: decision.expectedLastEventId,
      client,
    });
    this.store.committedStreams.remember(client, streamId, reservationDecider, {
      state,
      version: nextExpectedVersion,
      lastEventId: recorded.at(-1)?.eventId,
    });
    const first = events[0]!;
    const created = first.type === 'ReservationMade' || first.type === 'ReservationFailed';
    pending.add(created ? this.reservations.insert(first) : this.reservations.update(state));
    if (first.type === 'ReservationMade') {
      pending.add(
        this.deadlines.scheduleWrite<ReservationExpiryPayload>({
          id: expiryDeadlineId(reservationId),
          kind: RESERVATION_EXPIRY,
          dueAt: new Date(first.data.expiresAt),
          payload: { reservationId, correlationId: context.correlationId },
        }),
      );
    } else if (state.status !== 'active') {
      // Firm, released or committed: nothing left to expire.
      pending.add(this.deadlines.cancelWrite(expiryDeadlineId(reservationId)));
    }
    pending.publish(reservationIntegrationEvents(events));
  }
}
