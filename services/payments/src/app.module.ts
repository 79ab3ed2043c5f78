import { Module } from '@nestjs/common';

/** The payments bounded context; its use cases, projections and controllers are added here. */
@Module({})
export class PaymentsModule {}
