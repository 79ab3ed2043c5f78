import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { MoneyDto } from './money.dto';

const KINDS = ['full', 'partial', 'price-difference'] as const;

export class RefundRequestDto {
  @ApiProperty({
    type: MoneyDto,
    description: 'Amount to refund; a full refund must be the whole refundable amount.',
  })
  @ValidateNested()
  @Type(() => MoneyDto)
  amount!: MoneyDto;

  @ApiProperty({ enum: KINDS, description: 'full, partial, or price-difference (退差价).' })
  @IsIn(KINDS)
  kind!: (typeof KINDS)[number];

  @ApiProperty({ example: 'price dropped after purchase', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  reason!: string;

  @ApiPropertyOptional({ description: 'After-sales case the refund belongs to.', maxLength: 128 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  caseId?: string;
}
