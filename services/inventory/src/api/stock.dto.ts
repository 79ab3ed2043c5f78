import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  NotEquals,
} from 'class-validator';

/** Ids are opaque strings of 1–128 characters (as in the event contracts). */
const ID = { minLength: 1, maxLength: 128 } as const;
const MAX_UNITS = 1_000_000;

export const LOCATION_TYPES = ['warehouse', 'store'] as const;
export const ADJUSTMENT_REASONS = [
  'count-correction',
  'damaged',
  'lost',
  'found',
  'expired',
] as const;

export class CreateLocationDto {
  @ApiProperty({ ...ID, example: 'wh-shanghai-1' })
  @IsString()
  @Length(1, 128)
  locationId!: string;

  @ApiProperty({ enum: LOCATION_TYPES })
  @IsIn(LOCATION_TYPES)
  type!: (typeof LOCATION_TYPES)[number];

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Shanghai Pudong DC' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ description: 'ISO 3166-2 subdivision, e.g. CN-SH', example: 'CN-SH' })
  @IsOptional()
  @Matches(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, { message: 'regionCode must be an ISO 3166-2 code' })
  regionCode?: string;
}

export class ReceiveStockDto {
  @ApiProperty({ ...ID, example: 'sku-123' })
  @IsString()
  @Length(1, 128)
  skuId!: string;

  @ApiProperty({ ...ID, example: 'wh-shanghai-1' })
  @IsString()
  @Length(1, 128)
  locationId!: string;

  @ApiProperty({ minimum: 1, maximum: MAX_UNITS, example: 20 })
  @IsInt()
  @Min(1)
  @Max(MAX_UNITS)
  quantity!: number;

  @ApiPropertyOptional({
    ...ID,
    description:
      'The goods receipt (delivery note); repeating it with the same goods books nothing',
  })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  receiptId?: string;
}

export class AdjustStockDto {
  @ApiProperty({ ...ID })
  @IsString()
  @Length(1, 128)
  skuId!: string;

  @ApiProperty({ ...ID })
  @IsString()
  @Length(1, 128)
  locationId!: string;

  @ApiProperty({
    description: 'Units to add (positive) or remove (negative); never zero',
    minimum: -MAX_UNITS,
    maximum: MAX_UNITS,
    example: -2,
  })
  @IsInt()
  @NotEquals(0)
  @Min(-MAX_UNITS)
  @Max(MAX_UNITS)
  delta!: number;

  @ApiProperty({ enum: ADJUSTMENT_REASONS })
  @IsIn(ADJUSTMENT_REASONS)
  reason!: (typeof ADJUSTMENT_REASONS)[number];
}

export class SetThresholdDto {
  @ApiProperty({ minimum: 0, maximum: MAX_UNITS, example: 5 })
  @IsInt()
  @Min(0)
  @Max(MAX_UNITS)
  threshold!: number;
}

export class SkuLocationParams {
  @ApiProperty({ ...ID })
  @IsString()
  @Length(1, 128)
  skuId!: string;

  @ApiProperty({ ...ID })
  @IsString()
  @Length(1, 128)
  locationId!: string;
}

export class SkuParams {
  @ApiProperty({ ...ID })
  @IsString()
  @Length(1, 128)
  skuId!: string;
}

export class AvailabilityQuery {
  @ApiProperty({ description: 'Comma-separated SKU ids, at most 100', example: 'sku-1,sku-2' })
  @IsString()
  @Matches(/^[^,]{1,128}(,[^,]{1,128}){0,99}$/, {
    message: 'skuIds must be 1 to 100 comma-separated ids of 1 to 128 characters',
  })
  skuIds!: string;
}

export class DemandQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 366, default: 30, description: 'Days back' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(366)
  days?: number;
}
