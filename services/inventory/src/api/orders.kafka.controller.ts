import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  OrdersEventTypes,
  type OrderCancelledV1Data,
  type OrderConfirmedV1Data,
  type OrderLinesCancelledV1Data,
  type OrderPlacedV1Data,
  type OrderShippedV1Data,
} from '@fulfil/contracts';
import { InboxContext, type InboxPayload } from '@fulfil/messaging';
import { contextFromEnvelope } from '../application/command-context';
import { ReservationService } from '../application/reservation.service';
import { v1Data } from './event-version';

/**
 * The order lifecycle as inventory follows it (flow steps 2 and 7): reserve on OrderPlaced,
 * release on cancellations, firm up on confirmation, commit on shipment. Every write goes
 * through the inbox transaction, so a redelivered event changes nothing.
 */
@Controller()
export class OrdersKafkaController {
  constructor(private readonly reservations: ReservationService) {}

  @EventPattern(OrdersEventTypes.OrderPlaced)
  async onOrderPlaced(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1Data<OrderPlacedV1Data>(event, OrdersEventTypes.OrderPlaced);
    await this.reservations.reserveForOrder(
      ctx.getClient(),
      {
        orderId: data.orderId,
        channel: data.channel,
        ...(data.storeId ? { storeId: data.storeId } : {}),
        lines: data.lines.map(({ lineId, skuId, quantity }) => ({ lineId, skuId, quantity })),
        deliveryRegionCode: data.deliveryRegion.regionCode,
      },
      contextFromEnvelope(envelope),
    );
  }

  @EventPattern(OrdersEventTypes.OrderCancelled)
  async onOrderCancelled(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1Data<OrderCancelledV1Data>(event, OrdersEventTypes.OrderCancelled);
    const reason =
      data.reason === 'payment-failed' || data.reason === 'payment-timed-out'
        ? data.reason
        : 'order-cancelled';
    await this.reservations.release(
      ctx.getClient(),
      {
        orderId: data.orderId,
        ...(data.reservationId ? { reservationId: data.reservationId } : {}),
      },
      reason,
      contextFromEnvelope(envelope),
    );
  }

  @EventPattern(OrdersEventTypes.OrderLinesCancelled)
  async onLinesCancelled(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1Data<OrderLinesCancelledV1Data>(event, OrdersEventTypes.OrderLinesCancelled);
    await this.reservations.cancelLines(
      ctx.getClient(),
      { orderId: data.orderId },
      data.lines,
      contextFromEnvelope(envelope),
    );
  }

  @EventPattern(OrdersEventTypes.OrderConfirmed)
  async onOrderConfirmed(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1Data<OrderConfirmedV1Data>(event, OrdersEventTypes.OrderConfirmed);
    await this.reservations.confirm(
      ctx.getClient(),
      { orderId: data.orderId },
      contextFromEnvelope(envelope),
    );
  }

  @EventPattern(OrdersEventTypes.OrderShipped)
  async onOrderShipped(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1Data<OrderShippedV1Data>(event, OrdersEventTypes.OrderShipped);
    await this.reservations.commitShipment(
      ctx.getClient(),
      { orderId: data.orderId },
      { shipmentId: data.shipment.shipmentId, lines: data.lines, fullyShipped: data.fullyShipped },
      contextFromEnvelope(envelope),
    );
  }
}
