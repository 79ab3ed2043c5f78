import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL } from '@fulfil/messaging';
import type { Pool } from 'pg';
import { paymentOrders } from '../infrastructure/persistence/payment-orders.repository';
import { PaymentCommands } from './payment-commands';
import { toPaymentView, type PaymentView } from './payment-view';

/** Reads payments straight from their streams (a payment has a handful of events). */
@Injectable()
export class PaymentQueries {
  constructor(
    private readonly commands: PaymentCommands,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async byId(paymentId: string): Promise<PaymentView | undefined> {
    const { state, history } = await this.commands.load(paymentId);
    return state.status === 'none' ? undefined : toPaymentView(state, history);
  }

  async byOrder(orderId: string): Promise<PaymentView[]> {
    const order = await paymentOrders.find(this.pool, orderId);
    if (!order?.paymentId) return [];
    const view = await this.byId(order.paymentId);
    return view ? [view] : [];
  }
}
