import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import { isDomainError } from '@fulfil/decider';
import type { Write } from '@fulfil/event-store';
import type { PlaceOrder } from '../domain/order.commands';
import { orderDecider } from '../domain/order.decider';
import { OrderErrorCodes } from '../domain/order.errors';
import type { OrderPlaced } from '../domain/order.events';
import type { HandlingClass, Money, PaymentMethod, SalesChannel } from '../domain/order.model';
import {
  DeliveryAddressRepository,
  type DeliveryAddress,
} from '../infrastructure/delivery-address.repository';
import { OrderCommandRunner, type AlsoWrite, type CommandContext } from './order-command.runner';
import { orderIdFor, orderNumberFor } from './order-identity';
import { OrderQueries } from './order.queries';
import { orderViewOf, type OrderView } from './order.view';

/** What a caller asks for (the validated request body). */
export interface PlaceOrderRequest {
  readonly channel: SalesChannel;
  readonly customerId: string;
  readonly storeId?: string;
  readonly lines: readonly {
    readonly skuId: string;
    readonly title: string;
    readonly quantity: number;
    readonly unitPrice: Money;
    readonly handling?: HandlingClass;
  }[];
  readonly deliveryAddress: DeliveryAddress;
  readonly paymentMethod: PaymentMethod;
  readonly shipping?: Money;
  readonly discount?: Money;
}

/** Who places the order and how (`CommandContext`), and what commits with it. */
export interface PlacementContext extends CommandContext {
  readonly idempotencyKey?: string;
  /**
   * The answer to the request as a write, made of the order as placed, to commit with it (the
   * idempotent answer of `POST /orders`). Not called for a retry that finds its order placed.
   */
  readonly answer?: (placed: OrderView) => Write | undefined;
  /**
   * A statement to run first in the placement's transaction, that fails it while another
   * request with the same Idempotency-Key is placing (the kit's `idempotentKeyGuard`).
   */
  readonly keyGuard?: Write;
}

/**
 * The same Idempotency-Key came back with another request after its stored answer was gone (the
 * key expired and was purged; the answer commits with the order, so no crash loses it).
 */
export class IdempotencyKeyReusedForOtherOrder extends Error {}

/**
 * R-ORD-1: one call places an order. The order, its address, its summary, the OrderPlaced
 * message (outbox) and its safety deadline commit in one transaction.
 */
@Injectable()
export class PlaceOrderUseCase {
  constructor(
    private readonly runner: OrderCommandRunner,
    private readonly addresses: DeliveryAddressRepository,
    private readonly queries: OrderQueries,
  ) {}

  async execute(request: PlaceOrderRequest, context: PlacementContext): Promise<OrderView> {
    const orderId = context.idempotencyKey
      ? orderIdFor(context.actor, context.idempotencyKey)
      : randomUUID();
    const address = this.addresses.upsert(orderId, request.customerId, request.deliveryAddress);
    for (let attempt = 0; ; attempt += 1) {
      const command = placeOrderCommand(orderId, request, context.now, attempt);
      // Placing succeeds only on an empty stream, so its events are the whole order: the answer
      // needs no read (it is the order as placed, as the API documents), made once they are.
      let placedView: OrderView | undefined;
      try {
        const alsoWrite: AlsoWrite = (recorded) => {
          placedView = orderViewOf(recorded)!;
          return [address, context.answer?.(placedView)];
        };
        await this.runner.place(orderId, command, context, alsoWrite, context.keyGuard);
      } catch (error) {
        // Nothing of the placement committed: place it again under another number.
        if (isOrderNumberTaken(error) && attempt < ORDER_NUMBER_ATTEMPTS - 1) continue;
        if (!isDomainError(error, OrderErrorCodes.alreadyPlaced)) throw error;
        return this.existingPlacement(orderId, command, request.deliveryAddress);
      }
      return placedView!;
    }
  }

  /** A retry whose stored answer is gone: the order it placed, if it is the same order. */
  private async existingPlacement(
    orderId: string,
    command: PlaceOrder,
    address: DeliveryAddress,
  ): Promise<OrderView> {
    const [placement, existingAddress] = await Promise.all([
      this.queries.placement(orderId),
      this.queries.deliveryAddress(orderId),
    ]);
    const wanted = orderDecider.decide(command, orderDecider.initialState())[0] as OrderPlaced;
    const same =
      placement !== undefined &&
      isDeepStrictEqual(plain(existingAddress), plain(address)) &&
      isDeepStrictEqual(comparable(placement), comparable(wanted.data));
    if (!same) throw new IdempotencyKeyReusedForOtherOrder(orderId);
    return (await this.queries.order(orderId))!;
  }
}

/** Numbers tried for one placement: 30 bits a day make a fourth taken number unthinkable. */
const ORDER_NUMBER_ATTEMPTS = 4;

/** The placement's order number belongs to another order of the day (see `orderNumberFor`). */
function isOrderNumberTaken(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'order_summaries_order_number_key';
}

/** What the caller asked for, without what the server chose (number, time). */
function comparable({ orderNumber: _n, at: _a, ...asked }: OrderPlaced['data']) {
  return plain(asked);
}

/** JSON-shaped copy: no prototypes, no undefined members (as stored in PostgreSQL). */
const plain = <T>(value: T): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

/** Line ids are positions (`L1`, `L2` …): unique within the order, stable across retries. */
export function placeOrderCommand(
  orderId: string,
  request: PlaceOrderRequest,
  now: string,
  numberAttempt = 0,
): PlaceOrder {
  const address = request.deliveryAddress;
  return {
    type: 'PlaceOrder',
    data: {
      orderId,
      orderNumber: orderNumberFor(orderId, now, numberAttempt),
      customerId: request.customerId,
      channel: request.channel,
      ...(request.storeId !== undefined && { storeId: request.storeId }),
      lines: request.lines.map((line, index) => ({
        lineId: `L${index + 1}`,
        skuId: line.skuId,
        title: line.title,
        quantity: line.quantity,
        unitPrice: { amountMinor: line.unitPrice.amountMinor, currency: line.unitPrice.currency },
        handling: line.handling ?? 'ambient',
      })),
      ...(request.shipping && { shipping: plainMoney(request.shipping) }),
      ...(request.discount && { discount: plainMoney(request.discount) }),
      paymentMethod: request.paymentMethod,
      deliveryRegion: {
        countryCode: address.countryCode,
        regionCode: address.regionCode,
        ...(address.cityCode !== undefined && { cityCode: address.cityCode }),
      },
      at: now,
    },
  };
}

const plainMoney = (money: Money): Money => ({
  amountMinor: money.amountMinor,
  currency: money.currency,
});
