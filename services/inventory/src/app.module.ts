import { Module } from '@nestjs/common';
import { EventSourcingModule } from '@fulfil/messaging';
import { AfterSalesKafkaController } from './api/after-sales.kafka.controller';
import { AvailabilityHttpController } from './api/availability.http.controller';
import { LocationsHttpController } from './api/locations.http.controller';
import { OrdersKafkaController } from './api/orders.kafka.controller';
import { ReservationsHttpController } from './api/reservations.http.controller';
import { StockHttpController } from './api/stock.http.controller';
import { InventoryTransactions } from './application/inventory-transactions';
import { ReservationExpiryHandler } from './application/reservation-expiry.handler';
import { ReservationLedger } from './application/reservation.ledger';
import { ReservationService } from './application/reservation.service';
import { SkuStockLedger } from './application/sku-stock.ledger';
import { StockService } from './application/stock.service';
import { LocationsRepository } from './infrastructure/locations.repository';
import { RegionalDemandRepository } from './infrastructure/regional-demand.repository';
import { ReservationsRepository } from './infrastructure/reservations.repository';
import { StockLevelsRepository } from './infrastructure/stock-levels.repository';
import { INVENTORY_SETTINGS, loadInventorySettings } from './inventory.settings';

/** The inventory bounded context: stock, reservations, availability (R-INV-1…6). */
@Module({
  // Its event handlers write to its own database alone, so their transactions may commit
  // without waiting for the WAL flush (the relay and the offset commits flush first).
  imports: [EventSourcingModule.forRoot({ asynchronousInboxCommits: true })],
  controllers: [
    LocationsHttpController,
    StockHttpController,
    AvailabilityHttpController,
    ReservationsHttpController,
    OrdersKafkaController,
    AfterSalesKafkaController,
  ],
  providers: [
    { provide: INVENTORY_SETTINGS, useFactory: () => loadInventorySettings(process.env) },
    InventoryTransactions,
    SkuStockLedger,
    ReservationLedger,
    ReservationService,
    StockService,
    ReservationExpiryHandler,
    LocationsRepository,
    StockLevelsRepository,
    ReservationsRepository,
    RegionalDemandRepository,
  ],
  exports: [ReservationService, InventoryTransactions, SkuStockLedger],
})
export class InventoryModule {}
