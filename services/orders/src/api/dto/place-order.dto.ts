import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsInt,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  HANDLING_CLASSES,
  PAYMENT_METHODS,
  SALES_CHANNELS,
  type HandlingClass,
  type PaymentMethod,
  type SalesChannel,
} from '../../domain/order.model';
import { MoneyDto } from './money.dto';

export class OrderLineDto {
  @ApiProperty({ example: 'sku-tea-tree-oil-30ml', maxLength: 128 })
  @IsString()
  @Length(1, 128)
  skuId!: string;

  @ApiProperty({ example: 'Tea-tree oil 30 ml', maxLength: 200, description: 'Display title.' })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiProperty({ example: 2, minimum: 1, maximum: 10000 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity!: number;

  @ApiProperty({ type: MoneyDto })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  unitPrice!: MoneyDto;

  @ApiPropertyOptional({
    enum: HANDLING_CLASSES,
    default: 'ambient',
    description: 'How the goods must travel; drives the delivery plan (R-LOG-2).',
  })
  @IsOptional()
  @IsIn(HANDLING_CLASSES)
  handling?: HandlingClass;
}

/**
 * The delivery address: personal data. Stored in a mutable table keyed by order and customer,
 * never in the event log or the published events (they carry only the region codes).
 */
export class DeliveryAddressDto {
  @ApiProperty({ example: '王小明', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  recipientName!: string;

  @ApiProperty({ example: '+86 138 0013 8000', pattern: '^\\+?[0-9 ()-]{5,32}$' })
  @IsString()
  @Matches(/^\+?[0-9 ()-]{5,32}$/, { message: 'phone must be a phone number' })
  phone!: string;

  @ApiProperty({ example: 'CN', description: 'ISO 3166-1 alpha-2.' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be an ISO 3166-1 alpha-2 code' })
  countryCode!: string;

  @ApiProperty({ example: 'CN-GD', description: 'ISO 3166-2 subdivision of countryCode.' })
  @IsString()
  @Matches(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, { message: 'regionCode must be an ISO 3166-2 code' })
  regionCode!: string;

  @ApiPropertyOptional({ example: 'SZ', maxLength: 32, description: 'Platform city code.' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  cityCode?: string;

  @ApiPropertyOptional({ example: '南山区', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  district?: string;

  @ApiProperty({ example: '科技园南区 1 栋 101', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  addressLine1!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  addressLine2?: string;

  @ApiPropertyOptional({ example: '518057', maxLength: 16 })
  @IsOptional()
  @IsString()
  @Length(1, 16)
  postalCode?: string;
}

export class PlaceOrderDto {
  @ApiProperty({ enum: SALES_CHANNELS, example: 'mini-program' })
  @IsIn(SALES_CHANNELS)
  channel!: SalesChannel;

  @ApiProperty({ example: 'cus-42', maxLength: 128 })
  @IsString()
  @Length(1, 128)
  customerId!: string;

  @ApiPropertyOptional({
    example: 'store-sz-7',
    maxLength: 128,
    description:
      'Preferred store: inventory reserves there first (R-INV-4); required for cash-in-store.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  storeId?: string;

  @ApiProperty({
    type: [OrderLineDto],
    description:
      'At least one line, all prices in one currency. Whether a SKU exists is checked by ' +
      'inventory: an unknown SKU cancels the order right after placement (StockReservationFailed ' +
      'sku-unknown → OrderCancelled stock-shortage).',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  lines!: OrderLineDto[];

  @ApiProperty({ type: DeliveryAddressDto })
  @IsObject()
  @ValidateNested()
  @Type(() => DeliveryAddressDto)
  deliveryAddress!: DeliveryAddressDto;

  @ApiProperty({ enum: PAYMENT_METHODS, example: 'wechat-pay' })
  @IsIn(PAYMENT_METHODS)
  paymentMethod!: PaymentMethod;

  @ApiPropertyOptional({ type: MoneyDto, description: 'Shipping fee; default 0.' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  shipping?: MoneyDto;

  @ApiPropertyOptional({
    type: MoneyDto,
    description: 'Discount on the whole order; at most subtotal + shipping. Default 0.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  discount?: MoneyDto;
}
