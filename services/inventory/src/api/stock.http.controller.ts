import { Body, Controller, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Caller, Idempotent, RequireScopes } from '@fulfil/service-kit';
import { StockService } from '../application/stock.service';
import { httpContext } from './http-context';
import { asProblem } from './inventory.problems';
import { AdjustStockDto, ReceiveStockDto, SetThresholdDto, SkuLocationParams } from './stock.dto';
import { AdjustmentView, ReceiptView, StockLevelView } from './stock.views';

@ApiTags('stock')
@Controller('stock')
export class StockHttpController {
  constructor(private readonly stock: StockService) {}

  @Post('receipts')
  @HttpCode(201)
  @Idempotent()
  @RequireScopes('inventory:write')
  @ApiOperation({
    summary: 'Book goods into a warehouse or store (StockReceived, AvailabilityChanged)',
  })
  @ApiCreatedResponse({ type: ReceiptView })
  @ApiUnprocessableEntityResponse({ description: 'Unknown location (problem details)' })
  @ApiConflictResponse({ description: 'receiptId already used for other goods' })
  async receive(@Body() body: ReceiveStockDto, @Caller() caller?: string): Promise<ReceiptView> {
    return asProblem(() => this.stock.receive(body, httpContext(caller)));
  }

  @Post('adjustments')
  @HttpCode(201)
  @Idempotent()
  @RequireScopes('inventory:write')
  @ApiOperation({
    summary: 'Correct on-hand stock (StockAdjusted); never below what is reserved',
  })
  @ApiCreatedResponse({ type: AdjustmentView })
  @ApiNotFoundResponse({ description: 'The SKU was never stocked' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown location' })
  @ApiConflictResponse({ description: 'On-hand would fall below reserved (or zero)' })
  async adjust(@Body() body: AdjustStockDto, @Caller() caller?: string): Promise<AdjustmentView> {
    return asProblem(() => this.stock.adjust(body, httpContext(caller)));
  }

  @Put(':skuId/locations/:locationId/threshold')
  @RequireScopes('inventory:write')
  @ApiOperation({
    summary: 'Set the low-stock threshold of a SKU at a location (R-INV-6)',
    description:
      'LowStockDetected fires when available falls to or below it (once per crossing). Without one, LOW_STOCK_THRESHOLD applies.',
  })
  @ApiOkResponse({ type: StockLevelView })
  @ApiNotFoundResponse({ description: 'The SKU was never stocked' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown location' })
  async setThreshold(
    @Param() params: SkuLocationParams,
    @Body() body: SetThresholdDto,
    @Caller() caller?: string,
  ): Promise<StockLevelView> {
    return asProblem(() =>
      this.stock.setThreshold({ ...params, threshold: body.threshold }, httpContext(caller)),
    );
  }
}
