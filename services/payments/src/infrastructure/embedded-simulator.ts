import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { SERVICE_LOGGER } from '@fulfil/service-kit';
import type { Logger } from 'pino';
import { PAYMENTS_SETTINGS, type PaymentsSettings } from '../payments.settings';
import { PaymentProviderSimulator } from '../simulator/payment-provider-simulator';

/**
 * Starts the SIMULATED payment provider inside the payments process when no real gateway is
 * configured (`PAYMENT_GATEWAY_URL` unset) — the default of `npm start`. The service still
 * reaches it only over HTTP, through the gateway client.
 */
@Injectable()
export class EmbeddedSimulator implements OnModuleInit, OnApplicationShutdown {
  private simulator: PaymentProviderSimulator | undefined;

  constructor(
    @Inject(PAYMENTS_SETTINGS) private readonly settings: PaymentsSettings,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.settings.gatewayUrl) return;
    const log = this.logger.child({ component: 'payment-simulator' });
    this.simulator = new PaymentProviderSimulator({
      port: this.settings.simulatorPort,
      apiKey: this.settings.gatewayApiKey,
      webhookSecretFor: (method) => this.settings.webhookSecrets[method],
      autoPay: this.settings.simulatorAutoPay,
      autoPayDelayMs: this.settings.simulatorAutoPayDelayMs,
      log: (message) => log.info(message),
    });
    const url = await this.simulator.start();
    log.info(
      { url, autoPay: this.settings.simulatorAutoPay ?? 'off' },
      'SIMULATED payment provider started (moves no money)',
    );
  }

  /** The base URL of the provider API: the configured gateway or this simulator. */
  gatewayUrl(): string {
    if (this.settings.gatewayUrl) return this.settings.gatewayUrl;
    if (!this.simulator) throw new Error('the embedded payment simulator is not running');
    return this.simulator.url;
  }

  /** The running simulator, when embedded (tests use it to watch webhook deliveries). */
  get instance(): PaymentProviderSimulator | undefined {
    return this.simulator;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.simulator?.stop();
  }
}
