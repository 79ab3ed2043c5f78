import { Module } from '@nestjs/common';

/** The after-sales bounded context; its use cases, projections and controllers are added here. */
@Module({})
export class AfterSalesModule {}
