import { Injectable } from '@nestjs/common';
import type { CancelOrder } from '../domain/order.commands';
import { OrderCommandRunner, type CommandContext } from './order-command.runner';
import { OrderQueries } from './order.queries';
import type { OrderView } from './order.view';

export type CancelReason = CancelOrder['data']['reason'];

/** Cancel before shipment (R-ORD-2, flow step 9): inventory releases, payments refunds. */
@Injectable()
export class CancelOrderUseCase {
  constructor(
    private readonly runner: OrderCommandRunner,
    private readonly queries: OrderQueries,
  ) {}

  async execute(
    orderId: string,
    reason: CancelReason,
    context: CommandContext,
  ): Promise<OrderView> {
    await this.runner.run(
      orderId,
      {
        type: 'CancelOrder',
        data: {
          orderId,
          reason,
          // A customer asks through a channel; operations and fraud checks are staff decisions.
          initiatedBy: reason === 'customer-request' ? 'customer' : 'operator',
          at: context.now,
        },
      },
      context,
    );
    return (await this.queries.order(orderId))!;
  }
}
