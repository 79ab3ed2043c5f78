import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { LogisticsEventTypes, type ShipmentDeliveredV1Data } from '@fulfil/contracts';
import { InboxContext, type InboxPayload } from '@fulfil/messaging';
import { OrderEventsHandler } from '../application/order-events.handler';

/** logistics.events → payments: cash on delivery is settled when the parcel is handed over. */
@Controller()
export class LogisticsKafkaController {
  constructor(private readonly handler: OrderEventsHandler) {}

  @EventPattern(LogisticsEventTypes.ShipmentDelivered)
  async onShipmentDelivered(
    @Payload() { event, envelope }: InboxPayload,
    @Ctx() ctx: InboxContext,
  ) {
    await this.handler.shipmentDelivered(
      event.data as ShipmentDeliveredV1Data,
      envelope,
      ctx.getClient(),
    );
  }
}
