import { Body, Controller, Get, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PG_POOL } from '@fulfil/messaging';
import { Idempotent, RequireScopes } from '@fulfil/service-kit';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { LocationIdTaken } from '../application/application.errors';
import { LocationsRepository } from '../infrastructure/locations.repository';
import { asProblem } from './inventory.problems';
import { CreateLocationDto } from './stock.dto';
import { LocationListView, LocationView } from './stock.views';

@ApiTags('locations')
@Controller('locations')
export class LocationsHttpController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly locations: LocationsRepository,
  ) {}

  @Post()
  @HttpCode(201)
  @Idempotent()
  @RequireScopes('inventory:write')
  @ApiOperation({
    summary: 'Register a warehouse or store (R-INV-1)',
    description:
      'Registering the same location again with the same details answers 200 with it; other details for an existing id are a 409 problem.',
  })
  @ApiCreatedResponse({ type: LocationView })
  @ApiOkResponse({ type: LocationView, description: 'The location existed with these details' })
  async create(
    @Body() body: CreateLocationDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<LocationView> {
    return asProblem(async () => {
      const { created, location } = await this.locations.insert(this.pool, {
        locationId: body.locationId,
        type: body.type,
        name: body.name,
        regionCode: body.regionCode ?? null,
      });
      const same =
        location.type === body.type &&
        location.name === body.name &&
        location.regionCode === (body.regionCode ?? null);
      if (!created && !same) throw new LocationIdTaken(body.locationId);
      if (!created) response.status(200);
      return { ...location, createdAt: location.createdAt.toISOString() };
    });
  }

  @Get()
  @RequireScopes('inventory:read')
  @ApiOperation({ summary: 'Every warehouse and store' })
  @ApiOkResponse({ type: LocationListView })
  async list(): Promise<LocationListView> {
    const locations = await this.locations.list(this.pool);
    return { items: locations.map((l) => ({ ...l, createdAt: l.createdAt.toISOString() })) };
  }
}
