import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PG_POOL } from '@fulfil/messaging';
import { RequireScopes } from '@fulfil/service-kit';
import type { Pool } from 'pg';
import { RegionalDemandRepository } from '../infrastructure/regional-demand.repository';
import {
  StockLevelsRepository,
  type StockLevelRow,
} from '../infrastructure/stock-levels.repository';
import { notFound } from './inventory.problems';
import { AvailabilityQuery, DemandQuery, SkuParams } from './stock.dto';
import { AvailabilityListView, AvailabilityView, DemandView } from './stock.views';

/** Reads of the availability read model, current the moment a change commits (R-INV-3). */
@ApiTags('availability')
@Controller()
export class AvailabilityHttpController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly levels: StockLevelsRepository,
    private readonly demand: RegionalDemandRepository,
  ) {}

  @Get('availability/:skuId')
  @RequireScopes('inventory:read')
  @ApiOperation({ summary: 'Sellable units of a SKU, in total and per location' })
  @ApiOkResponse({ type: AvailabilityView })
  @ApiNotFoundResponse({ description: 'The SKU was never stocked' })
  async one(@Param() params: SkuParams): Promise<AvailabilityView> {
    const rows = await this.levels.findBySkus(this.pool, [params.skuId]);
    if (rows.length === 0) throw notFound('SKU', params.skuId);
    return toView(params.skuId, rows);
  }

  @Get('availability')
  @RequireScopes('inventory:read')
  @ApiOperation({ summary: 'Availability of up to 100 SKUs at once' })
  @ApiOkResponse({ type: AvailabilityListView })
  async many(@Query() query: AvailabilityQuery): Promise<AvailabilityListView> {
    const skuIds = [...new Set(query.skuIds.split(','))];
    const rows = await this.levels.findBySkus(this.pool, skuIds);
    const known = skuIds.filter((skuId) => rows.some((row) => row.skuId === skuId));
    return {
      items: known.map((skuId) =>
        toView(
          skuId,
          rows.filter((row) => row.skuId === skuId),
        ),
      ),
      unknownSkuIds: skuIds.filter((skuId) => !known.includes(skuId)),
    };
  }

  @Get('demand/:skuId')
  @RequireScopes('inventory:read')
  @ApiOperation({
    summary: 'Units ordered per delivery region over the last days (R-INV-6)',
    description: 'Counted from placed orders, so stock can be positioned ahead of peaks.',
  })
  @ApiOkResponse({ type: DemandView })
  async demandFor(@Param() params: SkuParams, @Query() query: DemandQuery): Promise<DemandView> {
    const days = query.days ?? 30;
    const from = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    return {
      skuId: params.skuId,
      days,
      regions: await this.demand.forSku(this.pool, params.skuId, from),
    };
  }
}

function toView(skuId: string, rows: readonly StockLevelRow[]): AvailabilityView {
  const sum = (pick: (row: StockLevelRow) => number) => rows.reduce((s, r) => s + pick(r), 0);
  return {
    skuId,
    available: sum((r) => r.available),
    onHand: sum((r) => r.onHand),
    reserved: sum((r) => r.reserved),
    locations: rows.map((r) => ({
      locationId: r.locationId,
      locationType: r.locationType,
      onHand: r.onHand,
      reserved: r.reserved,
      available: r.available,
      lowStockThreshold: r.lowStockThreshold,
    })),
  };
}
