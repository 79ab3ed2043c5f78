import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { PG_POOL } from '@fulfil/messaging';
import { RequireScopes } from '@fulfil/service-kit';
import { IsString, Length } from 'class-validator';
import type { Pool } from 'pg';
import {
  ReservationsRepository,
  type ReservationView as Reservation,
} from '../infrastructure/reservations.repository';
import { notFound } from './inventory.problems';
import { ReservationListView, ReservationView } from './stock.views';

class ReservationParams {
  @ApiProperty({ minLength: 1, maxLength: 128 })
  @IsString()
  @Length(1, 128)
  reservationId!: string;
}

class ReservationsQuery {
  @ApiProperty({ minLength: 1, maxLength: 128, description: 'The order whose reservation to find' })
  @IsString()
  @Length(1, 128)
  orderId!: string;
}

/** Reservations for operators: what an order holds, where, and until when. */
@ApiTags('reservations')
@Controller('reservations')
export class ReservationsHttpController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly reservations: ReservationsRepository,
  ) {}

  @Get(':reservationId')
  @RequireScopes('inventory:read')
  @ApiOperation({ summary: 'One reservation' })
  @ApiOkResponse({ type: ReservationView })
  @ApiNotFoundResponse({ description: 'No such reservation' })
  async one(@Param() params: ReservationParams): Promise<ReservationView> {
    const reservation = await this.reservations.find(this.pool, params.reservationId);
    if (!reservation) throw notFound('Reservation', params.reservationId);
    return toView(reservation);
  }

  @Get()
  @RequireScopes('inventory:read')
  @ApiOperation({ summary: "An order's reservation (empty list when none was made)" })
  @ApiOkResponse({ type: ReservationListView })
  async byOrder(@Query() query: ReservationsQuery): Promise<ReservationListView> {
    const reservation = await this.reservations.findByOrder(this.pool, query.orderId);
    return { items: reservation ? [toView(reservation)] : [] };
  }
}

function toView(reservation: Reservation): ReservationView {
  return {
    ...reservation,
    lines: [...reservation.lines],
    held: [...reservation.held],
    shortages: [...reservation.shortages],
    expiresAt: reservation.expiresAt?.toISOString() ?? null,
    createdAt: reservation.createdAt.toISOString(),
    updatedAt: reservation.updatedAt.toISOString(),
  };
}
