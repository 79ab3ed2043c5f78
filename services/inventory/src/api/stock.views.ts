import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LOCATION_TYPES } from './stock.dto';

// Response shapes, for OpenAPI (the controllers return plain objects of these shapes).

export class LocationView {
  @ApiProperty() locationId!: string;
  @ApiProperty({ enum: LOCATION_TYPES }) type!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) regionCode!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class LocationListView {
  @ApiProperty({ type: [LocationView] }) items!: LocationView[];
}

export class StockLevelView {
  @ApiProperty() skuId!: string;
  @ApiProperty() locationId!: string;
  @ApiProperty({ enum: LOCATION_TYPES }) locationType!: string;
  @ApiProperty() onHand!: number;
  @ApiProperty() reserved!: number;
  @ApiProperty() available!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'null: the service default applies' })
  lowStockThreshold!: number | null;
}

export class ReceiptView {
  @ApiProperty() receiptId!: string;
  @ApiProperty({ description: 'true when the receipt was booked before (nothing booked now)' })
  replayed!: boolean;
  @ApiProperty({ type: StockLevelView }) level!: StockLevelView;
}

export class AdjustmentView {
  @ApiProperty() adjustmentId!: string;
  @ApiProperty({ type: StockLevelView }) level!: StockLevelView;
}

export class LocationAvailabilityView {
  @ApiProperty() locationId!: string;
  @ApiProperty({ enum: LOCATION_TYPES }) locationType!: string;
  @ApiProperty() onHand!: number;
  @ApiProperty() reserved!: number;
  @ApiProperty() available!: number;
  @ApiProperty({ nullable: true, type: Number }) lowStockThreshold!: number | null;
}

export class AvailabilityView {
  @ApiProperty() skuId!: string;
  @ApiProperty({ description: 'Sellable units across all locations' }) available!: number;
  @ApiProperty() onHand!: number;
  @ApiProperty() reserved!: number;
  @ApiProperty({ type: [LocationAvailabilityView] }) locations!: LocationAvailabilityView[];
}

export class AvailabilityListView {
  @ApiProperty({ type: [AvailabilityView] }) items!: AvailabilityView[];
  @ApiProperty({ type: [String], description: 'Requested SKUs the inventory never stocked' })
  unknownSkuIds!: string[];
}

export class AllocationView {
  @ApiProperty() lineId!: string;
  @ApiProperty() skuId!: string;
  @ApiProperty() locationId!: string;
  @ApiProperty({ enum: LOCATION_TYPES }) locationType!: string;
  @ApiProperty() quantity!: number;
}

export class ShortageView {
  @ApiProperty() lineId!: string;
  @ApiProperty() skuId!: string;
  @ApiProperty({ description: "The line's quantity" }) requested!: number;
  @ApiProperty({ description: 'How much of it was reserved' }) available!: number;
}

export class ReservationLineView {
  @ApiProperty() lineId!: string;
  @ApiProperty() skuId!: string;
  @ApiProperty() quantity!: number;
}

export class ReservationView {
  @ApiProperty() reservationId!: string;
  @ApiProperty() orderId!: string;
  @ApiProperty({ enum: ['active', 'firm', 'released', 'committed', 'failed'] }) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) channel!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) preferredLocationId!: string | null;
  @ApiProperty() allocatedElsewhere!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) failureReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' })
  expiresAt!: string | null;
  @ApiProperty({ type: [ReservationLineView] }) lines!: ReservationLineView[];
  @ApiProperty({ type: [AllocationView], description: 'Allocations still reserved' })
  held!: AllocationView[];
  @ApiProperty({ type: [ShortageView] }) shortages!: ShortageView[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ReservationListView {
  @ApiProperty({ type: [ReservationView] }) items!: ReservationView[];
}

export class RegionalDemandView {
  @ApiProperty() regionCode!: string;
  @ApiProperty() units!: number;
  @ApiProperty() orders!: number;
}

export class DemandView {
  @ApiProperty() skuId!: string;
  @ApiProperty() days!: number;
  @ApiProperty({ type: [RegionalDemandView] }) regions!: RegionalDemandView[];
}
