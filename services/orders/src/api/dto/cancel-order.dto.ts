import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { CancelReason } from '../../application/cancel-order.use-case';

const CANCEL_REASONS = ['customer-request', 'operations', 'fraud-suspected'] as const;

export class CancelOrderDto {
  @ApiPropertyOptional({
    enum: CANCEL_REASONS,
    default: 'customer-request',
    description:
      'customer-request: the customer asked (initiated by the customer); operations, ' +
      'fraud-suspected: a staff decision (initiated by an operator).',
  })
  @IsOptional()
  @IsIn(CANCEL_REASONS)
  reason?: CancelReason;
}
