import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  OrdersEventTypes,
  type OrderCancelledV1Data,
  type OrderLinesCancelledV1Data,
  type OrderPlacedV1Data,
  type OrderShippedV1Data,
  type OrderStockReservedV1Data,
} from '@fulfil/contracts';
import { InboxContext, type InboxPayload } from '@fulfil/messaging';
import { OrderEventsHandler } from '../application/order-events.handler';

/** orders.events → payments (flow steps 4, 5 and 8); every write in the inbox transaction. */
@Controller()
export class OrdersKafkaController {
  constructor(private readonly handler: OrderEventsHandler) {}

  @EventPattern(OrdersEventTypes.OrderPlaced)
  async onOrderPlaced(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    await this.handler.orderPlaced(event.data as OrderPlacedV1Data, envelope, ctx.getClient());
  }

  @EventPattern(OrdersEventTypes.OrderLinesCancelled)
  async onLinesCancelled(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    await this.handler.linesCancelled(
      event.data as OrderLinesCancelledV1Data,
      envelope,
      ctx.getClient(),
    );
  }

  @EventPattern(OrdersEventTypes.OrderStockReserved)
  async onStockReserved(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    await this.handler.stockReserved(
      event.data as OrderStockReservedV1Data,
      envelope,
      ctx.getClient(),
    );
  }

  @EventPattern(OrdersEventTypes.OrderCancelled)
  async onOrderCancelled(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    await this.handler.orderCancelled(
      event.data as OrderCancelledV1Data,
      envelope,
      ctx.getClient(),
    );
  }

  @EventPattern(OrdersEventTypes.OrderShipped)
  async onOrderShipped(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    await this.handler.orderShipped(event.data as OrderShippedV1Data, envelope, ctx.getClient());
  }
}
