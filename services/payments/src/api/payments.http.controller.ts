import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  Caller,
  currentRequestContext,
  Idempotent,
  ProblemException,
  RequireScopes,
} from '@fulfil/service-kit';
import type { Response } from 'express';
import type { CommandContext } from '../application/payment-commands';
import { PaymentCommands } from '../application/payment-commands';
import { PaymentQueries } from '../application/payment-queries';
import { toPaymentView, type PaymentView } from '../application/payment-view';
import { RefundService } from '../application/refund.service';
import { PaymentNotFound } from '../domain/payment.errors';
import { problemType, toProblem } from './domain-problems';
import { CashReceivedDto } from './dto/cash-received.dto';
import { PaymentsByOrderQueryDto } from './dto/payment-query.dto';
import { PaymentListDto, PaymentViewDto, RefundResultDto } from './dto/payment-view.dto';
import { RefundRequestDto } from './dto/refund-request.dto';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('payments')
@Controller('payments')
export class PaymentsHttpController {
  constructor(
    private readonly queries: PaymentQueries,
    private readonly commands: PaymentCommands,
    private readonly refunds: RefundService,
  ) {}

  @Get()
  @RequireScopes('payments:read')
  @ApiOperation({ summary: "An order's payment (an empty list until its intent exists)." })
  @ApiOkResponse({ type: PaymentListDto })
  async byOrder(@Query() query: PaymentsByOrderQueryDto): Promise<{ items: PaymentView[] }> {
    return { items: await this.queries.byOrder(query.orderId) };
  }

  @Get(':paymentId')
  @RequireScopes('payments:read')
  @ApiOperation({
    summary: 'A payment: state, amounts, provider reference, customer action, refunds, history.',
  })
  @ApiOkResponse({ type: PaymentViewDto })
  @ApiNotFoundResponse({ description: 'No such payment (problem details).' })
  async byId(@Param('paymentId', uuid) paymentId: string): Promise<PaymentView> {
    const view = await this.queries.byId(paymentId);
    if (!view) toProblem(new PaymentNotFound(paymentId));
    return view;
  }

  @Post(':paymentId/refunds')
  @RequireScopes('payments:write')
  @Idempotent()
  @ApiOperation({
    summary: 'Refund (full, partial or price difference); never more than captured.',
    description:
      'Holds the amount, pays it out at the provider and answers 201 when issued, or 202 when the provider did not answer yet (retried in the background). Concurrent requests are serialised per payment.',
  })
  @ApiCreatedResponse({ type: RefundResultDto, description: 'Issued.' })
  @ApiAcceptedResponse({ type: RefundResultDto, description: 'Held; the provider is retried.' })
  @ApiUnprocessableEntityResponse({
    description: 'Exceeds what is refundable, wrong currency, or the provider refused.',
  })
  @ApiConflictResponse({ description: 'Nothing captured yet.' })
  async refund(
    @Param('paymentId', uuid) paymentId: string,
    @Body() body: RefundRequestDto,
    @Caller() caller: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const outcome = await this.refunds
      .refund(paymentId, body, this.context(caller))
      .catch((error: unknown) => toProblem(error));
    const refund = outcome.state.refunds.find((r) => r.refundId === outcome.refundId)!;
    if (outcome.status === 'failed') {
      throw new ProblemException({
        type: problemType('PAYMENT.REFUND_REJECTED_BY_PROVIDER'),
        title: 'Refund rejected by the provider',
        status: 422,
        detail: outcome.detail ?? 'The provider refused the refund.',
        code: 'PAYMENT.REFUND_REJECTED_BY_PROVIDER',
        refundId: outcome.refundId,
      });
    }
    res.status(outcome.status === 'issued' ? 201 : 202);
    return {
      refundId: outcome.refundId,
      paymentId,
      status: outcome.status,
      amount: refund.amount,
      kind: refund.kind,
      refundedTotal: outcome.state.refundedTotal,
      capturedTotal: outcome.state.capturedTotal,
    };
  }

  @Post(':paymentId/cash-received')
  @HttpCode(200)
  @RequireScopes('payments:write')
  @Idempotent()
  @ApiOperation({
    summary: "The store's POS took the customer's cash for a cash-in-store payment.",
  })
  @ApiOkResponse({ type: PaymentViewDto })
  @ApiConflictResponse({ description: 'Not a cash-in-store payment, or no longer open.' })
  @ApiUnprocessableEntityResponse({ description: 'Amount or currency differs from the payment.' })
  async cashReceived(
    @Param('paymentId', uuid) paymentId: string,
    @Body() body: CashReceivedDto,
    @Caller() caller: string | undefined,
  ): Promise<PaymentView> {
    const { state } = await this.commands
      .execute(
        paymentId,
        { type: 'RecordCashReceived', data: { ...body, now: new Date().toISOString() } },
        this.context(caller),
      )
      .catch((error: unknown) => toProblem(error));
    if (state.status === 'none') toProblem(new PaymentNotFound(paymentId));
    const { history } = await this.commands.load(paymentId);
    return toPaymentView(state, history);
  }

  private context(caller: string | undefined): CommandContext {
    const correlationId = currentRequestContext()?.correlationId ?? randomUUID();
    return { correlationId, actor: `caller:${caller ?? 'unknown'}` };
  }
}
