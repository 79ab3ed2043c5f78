import type { Queryable } from '@fulfil/event-store';

/**
 * Serialises writers of the same SKU (and of the same reservation) for the rest of the caller's
 * transaction, so that 200 orders racing for the last units queue instead of exhausting
 * optimistic-concurrency retries.
 *
 * Transaction-level advisory locks rather than `SELECT … FOR UPDATE` on read-model rows: they
 * work before a SKU has any row, and taking one does not assign the transaction an id — so a
 * transaction that locks before it writes always appends after every earlier holder committed,
 * and never trips the event store's transaction-order check. Order: at most one reservation
 * first, then SKUs sorted by id, which rules out deadlocks between writers.
 */
export async function lockSkus(client: Queryable, skuIds: Iterable<string>): Promise<void> {
  for (const skuId of [...new Set(skuIds)].sort()) {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `inventory-sku:${skuId}`,
    ]);
  }
}

export async function lockReservation(client: Queryable, reservationId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `inventory-reservation:${reservationId}`,
  ]);
}
