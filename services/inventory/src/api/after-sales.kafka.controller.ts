import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AfterSalesEventTypes, type RestockRequestedV1Data } from '@fulfil/contracts';
import { InboxContext, type InboxPayload } from '@fulfil/messaging';
import { contextFromEnvelope } from '../application/command-context';
import { StockService } from '../application/stock.service';
import { v1Data } from './event-version';

/** Returns that passed inspection go back into sellable stock (R-INV-5, R-AS-5). */
@Controller()
export class AfterSalesKafkaController {
  constructor(private readonly stock: StockService) {}

  /** An unknown location throws: the event is dead-lettered for an operator to look at. */
  @EventPattern(AfterSalesEventTypes.RestockRequested)
  async onRestockRequested(@Payload() { event, envelope }: InboxPayload, @Ctx() ctx: InboxContext) {
    const data = v1Data<RestockRequestedV1Data>(event, AfterSalesEventTypes.RestockRequested);
    await this.stock.restock(
      ctx.getClient(),
      {
        caseId: data.caseId,
        orderId: data.orderId,
        locationId: data.locationId,
        lines: data.lines,
      },
      contextFromEnvelope(envelope),
    );
  }
}
