import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Money in minor units with its ISO 4217 currency (never a float). */
export class MoneyDto {
  @ApiProperty({
    description: 'Integer amount in minor units (fen, cents).',
    example: 12900,
    minimum: 0,
  })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountMinor!: number;

  @ApiProperty({ description: 'ISO 4217 currency code.', example: 'CNY', pattern: '^[A-Z]{3}$' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as CNY' })
  currency!: string;
}
