import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HANDLING_CLASSES, PAYMENT_METHODS, SALES_CHANNELS } from '../../domain/order.model';
import { ORDER_EVENT_TYPES } from '../../domain/order.events';
import { ORDER_STATUSES } from '../../domain/order.state';
import { MoneyDto } from './money.dto';

// Response shapes, for the OpenAPI document: the controller answers plain objects of the
// same shape (OrderView, OrderPage, DeliveryAddress).

export class OrderLineResponse {
  @ApiProperty({ example: 'L1', description: 'Position in the order: L1, L2, …' }) lineId!: string;
  @ApiProperty() skuId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ minimum: 1 }) quantity!: number;
  @ApiProperty({ type: MoneyDto }) unitPrice!: MoneyDto;
  @ApiProperty({ type: MoneyDto, description: 'unitPrice × quantity, computed by the server.' })
  lineTotal!: MoneyDto;
  @ApiProperty({ enum: HANDLING_CLASSES }) handling!: string;
}

export class OrderTotalsResponse {
  @ApiProperty({ type: MoneyDto, description: 'Σ line totals.' }) subtotal!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) shipping!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) discount!: MoneyDto;
  @ApiProperty({ type: MoneyDto, description: 'subtotal + shipping − discount.' }) total!: MoneyDto;
}

export class DeliveryRegionResponse {
  @ApiProperty({ example: 'CN' }) countryCode!: string;
  @ApiProperty({ example: 'CN-GD' }) regionCode!: string;
  @ApiPropertyOptional({ example: 'SZ' }) cityCode?: string;
}

export class TimelineEntryResponse {
  @ApiProperty({ enum: ORDER_EVENT_TYPES, example: 'OrderPlaced' }) type!: string;
  @ApiProperty({ enum: ORDER_STATUSES, description: 'Status after this transition.' })
  status!: string;
  @ApiProperty({
    example: 'customer-checkout',
    description:
      'Why: customer-checkout, stock-reserved, stock-partially-reserved, stock-shortage, ' +
      'payment-authorised, payment-captured, payment-received, cash-on-delivery, cash-in-store, ' +
      'customer-request, payment-failed, payment-timed-out, operations, fraud-suspected, parcel-dispatched.',
  })
  reason!: string;
  @ApiPropertyOptional({
    example: 'sku-unknown',
    description:
      'Finer cause of a cancellation: sku-unknown, insufficient-stock, sku-blocked, partial-stock, ' +
      'declined, insufficient-funds, …, payment-intent-expired, reservation-expired, confirmation-deadline.',
  })
  detail?: string;
  @ApiProperty({ example: '2026-11-23T09:00:00.000Z', description: 'UTC, ISO-8601.' }) at!: string;
}

export class OrderResponse {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ example: 'ORD-20261123-7K3Q9P' }) orderNumber!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty({ enum: SALES_CHANNELS }) channel!: string;
  @ApiPropertyOptional() storeId?: string;
  @ApiProperty({ type: [OrderLineResponse] }) lines!: OrderLineResponse[];
  @ApiProperty({ type: OrderTotalsResponse }) totals!: OrderTotalsResponse;
  @ApiProperty({ enum: PAYMENT_METHODS }) paymentMethod!: string;
  @ApiProperty({ enum: ['pending', 'paid', 'due-on-delivery', 'due-in-store'] })
  paymentStatus!: string;
  @ApiProperty({ type: DeliveryRegionResponse }) deliveryRegion!: DeliveryRegionResponse;
  @ApiPropertyOptional({ description: "Inventory's reservation, once stock is reserved." })
  reservationId?: string;
  @ApiProperty() placedAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ description: 'Version of the order (its number of events).' }) version!: number;
  @ApiProperty({ type: [TimelineEntryResponse], description: 'Every transition, oldest first.' })
  timeline!: TimelineEntryResponse[];
}

export class OrderSummaryResponse {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty() orderNumber!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty({ enum: SALES_CHANNELS }) channel!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: string;
  @ApiProperty({ enum: PAYMENT_METHODS }) paymentMethod!: string;
  @ApiProperty({ type: MoneyDto }) total!: MoneyDto;
  @ApiProperty() placedAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class OrderPageResponse {
  @ApiProperty({ type: [OrderSummaryResponse], description: 'Newest first.' })
  items!: OrderSummaryResponse[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last.' })
  nextCursor?: string;
}

export class DeliveryAddressResponse {
  @ApiProperty() recipientName!: string;
  @ApiProperty() phone!: string;
  @ApiProperty() countryCode!: string;
  @ApiProperty() regionCode!: string;
  @ApiPropertyOptional() cityCode?: string;
  @ApiPropertyOptional() district?: string;
  @ApiProperty() addressLine1!: string;
  @ApiPropertyOptional() addressLine2?: string;
  @ApiPropertyOptional() postalCode?: string;
}
