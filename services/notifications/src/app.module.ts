import { Module } from '@nestjs/common';

/** The notifications bounded context; its use cases, projections and controllers are added here. */
@Module({})
export class NotificationsModule {}
