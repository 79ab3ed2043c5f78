import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { MoneyDto } from './money.dto';

export class CashReceivedDto {
  @ApiProperty({ type: MoneyDto, description: 'The cash taken: must equal the payment amount.' })
  @ValidateNested()
  @Type(() => MoneyDto)
  amount!: MoneyDto;

  @ApiProperty({
    description: 'The POS receipt number; a repeat with the same receipt is a no-op.',
    maxLength: 128,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  receiptReference!: string;

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  storeId?: string;
}
