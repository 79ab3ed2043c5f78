import { randomUUID } from 'node:crypto';
import { httpRequest } from '@fulfil/service-kit';
import { signWebhook } from '../infrastructure/webhooks/standard-webhooks';
import type { SimMethod, SimWebhookEvent } from './simulator.protocol';

export interface WebhookSenderOptions {
  /** The secret the provider of a method signs with (`whsec_…`). */
  readonly secretFor: (method: SimMethod) => string;
  /** Delays before the 2nd, 3rd … attempt, ms (like real providers, e.g. 1 s, 2 s, 4 s …). */
  readonly retryDelaysMs: readonly number[];
  readonly log?: (message: string) => void;
  /** Per-attempt timeout, ms. */
  readonly timeoutMs?: number;
}

/** One delivery attempt as the simulator records it (for tests and the operator). */
export interface DeliveryAttempt {
  readonly webhookId: string;
  readonly type: SimWebhookEvent['type'];
  readonly attempt: number;
  readonly status: number | 'network-error';
}

/** Delivery attempts kept for diagnostics: the most recent ones, so memory stays bounded. */
export const KEPT_DELIVERY_ATTEMPTS = 1_000;

/**
 * Sends signed webhooks asynchronously, after the API call that caused them has answered, and
 * retries on anything but a 2xx with growing delays — keeping the same `webhook-id` on every
 * attempt (the receiver's deduplication key) and signing each attempt with a fresh timestamp,
 * as the Standard Webhooks specification says.
 */
export class WebhookSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  /** The most recent delivery attempts, oldest first (at most `KEPT_DELIVERY_ATTEMPTS`). */
  readonly attempts: DeliveryAttempt[] = [];

  constructor(private readonly options: WebhookSenderOptions) {}

  send(notifyUrl: string, event: SimWebhookEvent): string {
    const webhookId = `msg_${randomUUID().replace(/-/g, '')}`;
    this.schedule(0, () => this.attempt(notifyUrl, event, webhookId, 1));
    return webhookId;
  }

  /** Cancels pending retries and waits for attempts in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(delayMs: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const running = run().finally(() => this.inFlight.delete(running));
      this.inFlight.add(running);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(
    notifyUrl: string,
    event: SimWebhookEvent,
    webhookId: string,
    attempt: number,
  ): Promise<void> {
    const body = JSON.stringify(event);
    let status: number | 'network-error';
    try {
      const headers = signWebhook(this.options.secretFor(event.data.method), webhookId, body);
      ({ status } = await httpRequest(notifyUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'SimPay-Webhooks/1.0',
          ...headers,
        },
        body,
        timeoutMs: this.options.timeoutMs ?? 10_000,
        idempotent: true, // receivers de-duplicate by webhook-id (Standard Webhooks)
      }));
    } catch {
      status = 'network-error';
    }
    this.attempts.push({ webhookId, type: event.type, attempt, status });
    if (this.attempts.length > KEPT_DELIVERY_ATTEMPTS) this.attempts.shift();
    if (typeof status === 'number' && status >= 200 && status < 300) return;
    const delay = this.options.retryDelaysMs[attempt - 1];
    if (delay === undefined) {
      this.options.log?.(`webhook ${webhookId} (${event.type}) gave up after ${attempt} attempts`);
      return;
    }
    this.options.log?.(`webhook ${webhookId} (${event.type}) got ${status}, retry in ${delay} ms`);
    this.schedule(delay, () => this.attempt(notifyUrl, event, webhookId, attempt + 1));
  }
}
