import { Injectable } from '@nestjs/common';
import { EventStore } from '@fulfil/event-store';
import { orderStreamId } from '../domain/order.decider';
import type { OrderPlaced } from '../domain/order.events';
import {
  DeliveryAddressRepository,
  type DeliveryAddress,
} from '../infrastructure/delivery-address.repository';
import {
  OrderSummaryProjection,
  type OrderSummary,
} from '../infrastructure/order-summary.projection';
import { orderViewOf, type OrderView } from './order.view';

export interface OrderPage {
  readonly items: readonly OrderSummary[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** Reads: one order from its event stream (always current), lists from the summaries. */
@Injectable()
export class OrderQueries {
  constructor(
    private readonly store: EventStore,
    private readonly summaries: OrderSummaryProjection,
    private readonly addresses: DeliveryAddressRepository,
  ) {}

  async order(orderId: string): Promise<OrderView | undefined> {
    return orderViewOf(await this.store.readStream(orderStreamId(orderId)));
  }

  /** The OrderPlaced data of the order: what was asked for at placement. */
  async placement(orderId: string): Promise<OrderPlaced['data'] | undefined> {
    const [first] = await this.store.readStream(orderStreamId(orderId));
    return first?.type === 'OrderPlaced' ? (first.data as OrderPlaced['data']) : undefined;
  }

  deliveryAddress(orderId: string): Promise<DeliveryAddress | undefined> {
    return this.addresses.find(orderId);
  }

  async ordersOfCustomer(customerId: string, limit: number, cursor?: string): Promise<OrderPage> {
    const items = await this.summaries.listByCustomer(customerId, limit + 1, decodeCursor(cursor));
    if (items.length <= limit) return { items };
    const page = items.slice(0, limit);
    const last = page[page.length - 1]!;
    return { items: page, nextCursor: encodeCursor(last.placedAt, last.orderId) };
  }
}

/** Thrown for a cursor this service did not hand out. */
export class InvalidCursor extends Error {}

function encodeCursor(placedAt: string, orderId: string): string {
  return Buffer.from(JSON.stringify([placedAt, orderId]), 'utf8').toString('base64url');
}

function decodeCursor(
  cursor: string | undefined,
): { placedAt: string; orderId: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      !Number.isNaN(Date.parse(parsed[0])) &&
      typeof parsed[1] === 'string'
    ) {
      return { placedAt: parsed[0], orderId: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw new InvalidCursor('cursor is not one this service handed out');
}
