import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class PaymentsByOrderQueryDto {
  @ApiProperty({ description: 'The order whose payment to return.', maxLength: 128 })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  orderId!: string;
}
