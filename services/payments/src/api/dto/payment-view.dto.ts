import { ApiProperty } from '@nestjs/swagger';
import { MoneyDto } from './money.dto';

// Response shapes, for the OpenAPI document only (responses are plain objects).

class CustomerActionDto {
  @ApiProperty({ enum: ['qr-code', 'redirect', 'pay-on-delivery', 'pay-in-store'] }) type!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Checkout page of the provider.' })
  url!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'What the WeChat Pay QR code encodes.',
  })
  qrPayload!: string | null;
}

export class RefundRecordDto {
  @ApiProperty() refundId!: string;
  @ApiProperty({ type: MoneyDto }) amount!: MoneyDto;
  @ApiProperty({ enum: ['full', 'partial', 'price-difference'] }) kind!: string;
  @ApiProperty({ required: false }) caseId?: string;
  @ApiProperty({ enum: ['pending', 'issued', 'failed'] }) status!: string;
}

class HistoryEntryDto {
  @ApiProperty({ example: 'PaymentCaptured' }) type!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() version!: number;
}

export class PaymentViewDto {
  @ApiProperty() paymentId!: string;
  @ApiProperty() orderId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty({ enum: ['wechat-pay', 'alipay', 'bank-card', 'cash-on-delivery', 'cash-in-store'] })
  method!: string;
  @ApiProperty({ enum: ['pending', 'authorised', 'captured', 'failed', 'timed-out', 'voided'] })
  status!: string;
  @ApiProperty({ type: MoneyDto }) amount!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) capturedTotal!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) refundedTotal!: MoneyDto;
  @ApiProperty({
    type: MoneyDto,
    description: 'Captured minus refunded minus refunds in progress.',
  })
  refundable!: MoneyDto;
  @ApiProperty({ type: String, nullable: true }) providerReference!: string | null;
  @ApiProperty({ type: CustomerActionDto }) customerAction!: CustomerActionDto;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ type: [RefundRecordDto] }) refunds!: RefundRecordDto[];
  @ApiProperty({ type: [HistoryEntryDto] }) history!: HistoryEntryDto[];
}

export class PaymentListDto {
  @ApiProperty({ type: [PaymentViewDto] }) items!: PaymentViewDto[];
}

export class RefundResultDto {
  @ApiProperty() refundId!: string;
  @ApiProperty() paymentId!: string;
  @ApiProperty({
    enum: ['issued', 'pending'],
    description: 'pending: the provider did not answer yet; retried in the background.',
  })
  status!: string;
  @ApiProperty({ type: MoneyDto }) amount!: MoneyDto;
  @ApiProperty({ enum: ['full', 'partial', 'price-difference'] }) kind!: string;
  @ApiProperty({ type: MoneyDto }) refundedTotal!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) capturedTotal!: MoneyDto;
}

export class WebhookAckDto {
  @ApiProperty({ enum: ['accepted', 'duplicate'] }) status!: string;
}
