import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  Caller,
  currentRequestContext,
  Idempotent,
  idempotentAnswerWrite,
  idempotentKeyGuard,
  RequireScopes,
  ValidationProblem,
} from '@fulfil/service-kit';
import type { Response } from 'express';
import { CancelOrderUseCase } from '../application/cancel-order.use-case';
import type { CommandContext } from '../application/order-command.runner';
import { OrderQueries } from '../application/order.queries';
import type { OrderView } from '../application/order.view';
import { PlaceOrderUseCase } from '../application/place-order.use-case';
import { CancelOrderDto } from './dto/cancel-order.dto';
import { ListOrdersQuery } from './dto/list-orders.query';
import { DeliveryAddressResponse, OrderPageResponse, OrderResponse } from './dto/order.response';
import { PlaceOrderDto } from './dto/place-order.dto';
import { orderNotFound, toOrderProblem } from './order.problems';

const orderIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationProblem([{ field: 'orderId', message: 'must be a UUID' }]),
});

@ApiTags('orders')
@Controller('orders')
export class OrdersHttpController {
  constructor(
    private readonly placeOrder: PlaceOrderUseCase,
    private readonly cancelOrder: CancelOrderUseCase,
    private readonly queries: OrderQueries,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('orders:write')
  // Every effect of a placement commits in one transaction with its answer, so the answer's
  // write takes the key: no claim before (a statement and a commit less per order), nothing
  // left claimed by a request that died. A concurrent twin's transaction rolls back, or finds
  // the order placed (its id is derived from the key: order-identity.ts), and it is answered
  // with the first one's answer.
  @Idempotent({ claimWithAnswer: true })
  @ApiOperation({
    summary: 'Place an order (R-ORD-1)',
    description:
      'One call from any channel. The server prices the lines and totals the order. The answer ' +
      'is the order in status `placed`; stock reservation and payment follow asynchronously ' +
      '(watch the timeline or orders.events). Send an Idempotency-Key: a retry with the same ' +
      'key and body returns the same order, even after a crash between placing and answering.',
  })
  @ApiCreatedResponse({ type: OrderResponse, description: 'Placed; Location names the order.' })
  @ApiBadRequestResponse({
    description:
      'Invalid input (problem details naming the fields): wrong types, unknown fields, no lines, ' +
      'quantity < 1, negative amounts, mixed currencies, discount above subtotal + shipping, ' +
      'cash-in-store without storeId.',
  })
  async place(
    @Body() body: PlaceOrderDto,
    @Caller() caller: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OrderView> {
    const regionCountry = body.deliveryAddress.regionCode.slice(0, 2);
    if (regionCountry !== body.deliveryAddress.countryCode) {
      throw new ValidationProblem([
        {
          field: 'deliveryAddress.regionCode',
          message: `regionCode must be a subdivision of ${body.deliveryAddress.countryCode}`,
        },
      ]);
    }
    const order = await this.placeOrder
      .execute(body, {
        ...commandContext(caller),
        ...(idempotencyKey && { idempotencyKey }),
        // The idempotent answer commits with the order (Location as set below).
        answer: (placed) => idempotentAnswerWrite(placed, { location: orderLocation(placed) }),
        // While another request with the key places its order: 409, not a second run.
        keyGuard: idempotentKeyGuard(),
      })
      .catch(rethrowAsProblem);
    res.setHeader('Location', orderLocation(order));
    return order;
  }

  @Get()
  @RequireScopes('orders:read')
  @ApiOperation({ summary: "A customer's orders, newest first (paged)" })
  @ApiOkResponse({ type: OrderPageResponse })
  @ApiBadRequestResponse({ description: 'customerId missing, limit out of 1–100, unknown cursor.' })
  async list(@Query() query: ListOrdersQuery) {
    return this.queries
      .ordersOfCustomer(query.customerId, query.limit ?? 20, query.cursor)
      .catch(rethrowAsProblem);
  }

  @Get(':orderId')
  @RequireScopes('orders:read')
  @ApiOperation({
    summary: 'An order with its full timeline (R-ORD-2, R-ORD-5)',
    description: 'Read from the order\u2019s event stream: always current.',
  })
  @ApiOkResponse({ type: OrderResponse })
  @ApiBadRequestResponse({ description: 'orderId is not a UUID.' })
  @ApiNotFoundResponse({ description: 'No such order (problem type order-not-found).' })
  async get(@Param('orderId', orderIdPipe) orderId: string): Promise<OrderView> {
    const order = await this.queries.order(orderId);
    if (!order) throw orderNotFound(orderId);
    return order;
  }

  @Get(':orderId/delivery-address')
  @RequireScopes('orders:read')
  @ApiOperation({
    summary: "The order's delivery address (personal data)",
    description:
      'Kept out of the event log and the published events; logistics fetches it by order id.',
  })
  @ApiOkResponse({ type: DeliveryAddressResponse })
  @ApiBadRequestResponse({ description: 'orderId is not a UUID.' })
  @ApiNotFoundResponse({ description: 'No such order (problem type order-not-found).' })
  async deliveryAddress(@Param('orderId', orderIdPipe) orderId: string) {
    const address = await this.queries.deliveryAddress(orderId);
    if (!address) throw orderNotFound(orderId);
    return address;
  }

  @Post(':orderId/cancel')
  @HttpCode(200)
  @RequireScopes('orders:write')
  @Idempotent()
  @ApiOperation({
    summary: 'Cancel an order before shipment (R-ORD-2)',
    description:
      'Publishes OrderCancelled: inventory releases the reservation, payments refunds or voids.',
  })
  @ApiOkResponse({ type: OrderResponse, description: 'Cancelled.' })
  @ApiBadRequestResponse({ description: 'orderId is not a UUID, or an unknown reason.' })
  @ApiNotFoundResponse({ description: 'No such order (problem type order-not-found).' })
  @ApiConflictResponse({
    description:
      'Already shipped (order-already-shipped) or already cancelled (order-already-cancelled).',
  })
  async cancel(
    @Param('orderId', orderIdPipe) orderId: string,
    @Body() body: CancelOrderDto,
    @Caller() caller: string | undefined,
  ): Promise<OrderView> {
    return this.cancelOrder
      .execute(orderId, body.reason ?? 'customer-request', commandContext(caller))
      .catch(rethrowAsProblem);
  }
}

const orderLocation = (order: OrderView): string => `/orders/${order.orderId}`;

function commandContext(caller: string | undefined): CommandContext {
  const request = currentRequestContext();
  return {
    correlationId: request?.correlationId ?? randomUUID(),
    actor: caller ?? 'anonymous',
    now: new Date().toISOString(),
  };
}

function rethrowAsProblem(error: unknown): never {
  throw toOrderProblem(error);
}
