import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Money: integer minor units (fen, cents) and an ISO 4217 code — never a float. */
export class MoneyDto {
  @ApiProperty({ example: 4900, minimum: 0, description: 'Integer amount in minor units.' })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountMinor!: number;

  @ApiProperty({ example: 'CNY', pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code.' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as CNY' })
  currency!: string;
}
