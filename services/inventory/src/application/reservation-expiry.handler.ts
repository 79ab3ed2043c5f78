import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DeadlineScheduler } from '@fulfil/messaging';
import { RESERVATION_EXPIRY, type ReservationExpiryPayload } from './reservation.ledger';
import { ReservationService } from './reservation.service';

/** Releases a reservation when its expiry deadline fires (in the deadline's transaction). */
@Injectable()
export class ReservationExpiryHandler implements OnModuleInit {
  constructor(
    @Inject(DeadlineScheduler) private readonly deadlines: DeadlineScheduler,
    private readonly reservations: ReservationService,
  ) {}

  onModuleInit(): void {
    this.deadlines.on<ReservationExpiryPayload>(RESERVATION_EXPIRY, async (payload, client) => {
      await this.reservations.expire(client, payload.reservationId, {
        correlationId: payload.correlationId,
        actor: 'inventory',
        now: new Date(),
      });
    });
  }
}
