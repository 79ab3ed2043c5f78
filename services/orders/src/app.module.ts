import { Module } from '@nestjs/common';

/** The orders bounded context; its use cases, projections and controllers are added here. */
@Module({})
export class OrdersModule {}
