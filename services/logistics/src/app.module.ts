import { Module } from '@nestjs/common';

/** The logistics bounded context; its use cases, projections and controllers are added here. */
@Module({})
export class LogisticsModule {}
