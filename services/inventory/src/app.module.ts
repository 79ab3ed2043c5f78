import { Module } from '@nestjs/common';

/** The inventory bounded context; its use cases, projections and controllers are added here. */
@Module({})
export class InventoryModule {}
