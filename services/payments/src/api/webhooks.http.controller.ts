import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import {
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ProblemException, ProblemTypes, Public } from '@fulfil/service-kit';
import type { Request } from 'express';
import { WebhookProcessor } from '../application/webhook-processor';
import { verifyWebhook } from '../infrastructure/webhooks/standard-webhooks';
import {
  PAYMENTS_SETTINGS,
  WEBHOOK_PROVIDERS,
  type PaymentsSettings,
  type WebhookProvider,
} from '../payments.settings';
import { WebhookAckDto } from './dto/payment-view.dto';

/**
 * Result notifications from payment providers (R-PAY-2). Public — no bearer token — because
 * the signature is the authentication: Standard Webhooks over the raw body with the
 * provider's secret, five minutes of tolerance.
 */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksHttpController {
  constructor(
    private readonly processor: WebhookProcessor,
    @Inject(PAYMENTS_SETTINGS) private readonly settings: PaymentsSettings,
  ) {}

  @Post(':provider')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'A signed payment result from a provider (Standard Webhooks).',
    description:
      'Verified (HMAC-SHA256, `v1,` signatures, 5-minute tolerance), stored raw, then applied. A replayed `webhook-id` is answered 200 with status `duplicate` and changes nothing.',
  })
  @ApiParam({ name: 'provider', enum: WEBHOOK_PROVIDERS })
  @ApiHeader({ name: 'webhook-id', required: true })
  @ApiHeader({ name: 'webhook-timestamp', required: true, description: 'Unix seconds.' })
  @ApiHeader({
    name: 'webhook-signature',
    required: true,
    description: 'Space-separated `v1,<base64>` signatures.',
  })
  @ApiOkResponse({ type: WebhookAckDto })
  @ApiUnauthorizedResponse({ description: 'Unsigned, forged or stale (problem details).' })
  @ApiNotFoundResponse({ description: 'Unknown provider.' })
  async receive(@Param('provider') provider: string, @Req() req: Request & { rawBody?: Buffer }) {
    if (!isProvider(provider)) {
      throw new ProblemException({
        type: ProblemTypes.notFound,
        title: 'Not found',
        status: 404,
        detail: `No webhook endpoint for provider "${provider}".`,
      });
    }
    const rawBody = req.rawBody ?? Buffer.alloc(0);
    const verification = verifyWebhook(
      this.settings.webhookSecrets[provider],
      req.headers,
      rawBody,
    );
    if (!verification.ok) {
      throw new ProblemException({
        type: ProblemTypes.unauthorized,
        title: 'Unauthorized',
        status: 401,
        detail: `Webhook signature verification failed: ${verification.reason}.`,
        reason: verification.reason,
      });
    }
    const status = await this.processor.receive({
      webhookId: verification.webhookId,
      provider,
      signedAt: new Date(verification.timestamp * 1000),
      rawBody,
    });
    return { status };
  }
}

function isProvider(value: string): value is WebhookProvider {
  return (WEBHOOK_PROVIDERS as readonly string[]).includes(value);
}
