import { commitWith, type Queryable } from '@fulfil/event-store';
import type { PoolClient } from 'pg';

export type WebhookStatus = 'received' | 'processed' | 'ignored' | 'rejected';

/** What applying a delivery came to, and why (kept for the operator). */
export interface WebhookResult {
  readonly status: Exclude<WebhookStatus, 'received'>;
  readonly outcome: string;
}

const MAX_OUTCOME = 500;

export interface StoredWebhook {
  readonly webhookId: string;
  readonly provider: string;
  readonly rawBody: Buffer;
  readonly status: WebhookStatus;
}

/** A verified delivery as it is stored. */
type Delivery = { webhookId: string; provider: string; signedAt: Date; rawBody: Buffer };

const INSERT_DELIVERY = `INSERT INTO payment_webhooks
    (webhook_id, provider, signed_at, raw_body, status, outcome, processed_at)
  VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $5 = 'received' THEN NULL ELSE now() END)`;

/** The insert's values: with `result` applied, without it `received`. */
function deliveryValues(delivery: Delivery, result?: WebhookResult): unknown[] {
  return [
    delivery.webhookId,
    delivery.provider,
    delivery.signedAt,
    delivery.rawBody,
    result?.status ?? 'received',
    result ? result.outcome.slice(0, MAX_OUTCOME) : null,
  ];
}

/** SQL on `payment_webhooks`: raw bodies with their result, or `received` until applied. */
export const webhookDeliveries = {
  /**
   * Stores a verified delivery as `received`, to be applied later (`storeApplied` stores one
   * applied in its transaction). `false` when this webhook-id was seen before (a replay).
   */
  async store(client: Queryable, delivery: Delivery): Promise<boolean> {
    const { rowCount } = await client.query(
      `${INSERT_DELIVERY} ON CONFLICT (webhook_id) DO NOTHING`,
      deliveryValues(delivery),
    );
    return rowCount === 1;
  },

  /**
   * Stores a delivery applied in the transaction `withTransaction` runs on `client` as its last
   * statement, sent with its COMMIT (`commitWith`: a round trip less). `false` for a replay:
   * its webhook-id is taken, and the failed insert leaves the transaction to be rolled back,
   * with what applying the replay wrote in it.
   */
  async storeApplied(
    client: PoolClient,
    delivery: Delivery,
    result: WebhookResult,
  ): Promise<boolean> {
    try {
      await commitWith(client, INSERT_DELIVERY, deliveryValues(delivery, result));
      return true;
    } catch (error) {
      const { code, constraint } = error as { code?: unknown; constraint?: unknown };
      if (code === '23505' && constraint === 'payment_webhooks_pkey') return false;
      throw error;
    }
  },

  /** The delivery if it still waits for processing, locked for the caller's transaction. */
  async lockUnprocessed(client: Queryable, webhookId: string): Promise<StoredWebhook | undefined> {
    const { rows } = await client.query<{
      webhook_id: string;
      provider: string;
      raw_body: Buffer;
      status: WebhookStatus;
    }>(
      `SELECT webhook_id, provider, raw_body, status FROM payment_webhooks
        WHERE webhook_id = $1 AND status = 'received' FOR UPDATE SKIP LOCKED`,
      [webhookId],
    );
    const row = rows[0];
    return (
      row && {
        webhookId: row.webhook_id,
        provider: row.provider,
        rawBody: row.raw_body,
        status: row.status,
      }
    );
  },

  async finish(client: Queryable, webhookId: string, result: WebhookResult): Promise<void> {
    await client.query(
      `UPDATE payment_webhooks SET status = $2, outcome = $3, processed_at = now() WHERE webhook_id = $1`,
      [webhookId, result.status, result.outcome.slice(0, MAX_OUTCOME)],
    );
  },
};
