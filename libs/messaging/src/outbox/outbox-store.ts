import type { PoolClient } from 'pg';
import { FLUSH_WAL_CALL, UNFLUSHED_WAL } from '../shared/wal-flush';

/** A row of `outbox` as the relay publishes it. */
export interface OutboxMessage {
  readonly position: string;
  readonly transactionId: string;
  readonly messageId: string;
  readonly topic: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The message body. Outbox values are CloudEvents JSON (UTF-8, written only by
   * `enqueueIntegrationEvents`), so the relay reads them as text: half the bytes of `bytea`'s
   * hex output and no decoding, which is most of the relay's CPU per row.
   */
  readonly value: string;
}

/** A place in the relay's read order: (transaction id, position) of the last row covered. */
export interface RelayCheckpoint {
  readonly transactionId: string;
  readonly position: string;
}

export const START_OF_OUTBOX: RelayCheckpoint = { transactionId: '0', position: '0' };

/**
 * The next `limit` rows after `after`, of transactions older than the snapshot's xmin only, in
 * (transaction id, position) order: every transaction below xmin has finished, so no row can
 * appear behind the returned ones later (ADR 0004). Any `after` returned by an earlier call is
 * a valid start, which is what lets the relay read the next page while a batch is in flight.
 */
export async function readOutboxPage(
  client: PoolClient,
  after: RelayCheckpoint,
  limit: number,
  { flushWal = false }: { flushWal?: boolean } = {},
): Promise<OutboxMessage[]> {
  const { rows } = await client.query<
    [string, string, string, string, string, Record<string, string>, string]
  >({
    // Named: prepared once on the relay's connection instead of planned on every poll.
    ...(flushWal ? NEXT_PAGE_FLUSHED : NEXT_PAGE),
    values: [after.transactionId, after.position, limit],
    // Arrays, not objects keyed by column name: less work per row on the relay's hot path.
    rowMode: 'array',
  });
  const messages = new Array<OutboxMessage>(rows.length);
  for (let i = 0; i < rows.length; i += 1) {
    const [position, transactionId, messageId, topic, key, headers, value] = rows[i]!;
    messages[i] = { position, transactionId, messageId, topic, key, headers, value };
  }
  return messages;
}

/** The rows of the next page, from a checkpoint ($1, $2), at most $3. */
const PAGE_FROM = `FROM outbox
   WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
     AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
   ORDER BY outbox.transaction_id, outbox.position
   LIMIT $3`;

const PAGE_COLUMNS = `position::text, transaction_id::text, message_id::text, topic, key, headers,
         convert_from(value, 'UTF8')`;

const NEXT_PAGE = {
  name: 'outbox_relay.next_batch',
  text: `SELECT ${PAGE_COLUMNS} ${PAGE_FROM}`,
};

/**
 * The page, and then — if it has rows and WAL is unflushed — a WAL flush, in one statement:
 * the rows' transactions are durable before they are published, also those committed without
 * waiting for the flush (asynchronous inbox commits). An empty page (an idle poll) flushes
 * nothing. The final WHERE only makes the statement read `flushed`: PostgreSQL skips a CTE
 * that nothing references, MATERIALIZED or not.
 */
const NEXT_PAGE_FLUSHED = {
  name: 'outbox_relay.next_batch_flushed',
  text: `WITH page AS MATERIALIZED (
    SELECT position, transaction_id, message_id, topic, key, headers, value ${PAGE_FROM}),
       flushed AS MATERIALIZED (SELECT ${FLUSH_WAL_CALL}
                                 WHERE EXISTS (SELECT FROM page) AND ${UNFLUSHED_WAL})
  SELECT ${PAGE_COLUMNS} FROM page
   WHERE (SELECT count(*) FROM flushed) >= 0
   ORDER BY page.transaction_id, page.position`,
};

export async function loadRelayCheckpoint(
  client: PoolClient,
  relay: string,
): Promise<RelayCheckpoint> {
  const { rows } = await client.query<{ transaction_id: string; position: string }>(
    'SELECT transaction_id::text, position::text FROM outbox_relay_checkpoints WHERE relay = $1',
    [relay],
  );
  const row = rows[0];
  return row ? { transactionId: row.transaction_id, position: row.position } : START_OF_OUTBOX;
}

export async function saveRelayCheckpoint(
  client: PoolClient,
  relay: string,
  at: RelayCheckpoint,
): Promise<void> {
  await client.query({
    name: 'outbox_relay.save_checkpoint',
    text: `INSERT INTO outbox_relay_checkpoints (relay, transaction_id, position)
       VALUES ($1, $2::xid8, $3::bigint)
       ON CONFLICT (relay) DO UPDATE
         SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()`,
    values: [relay, at.transactionId, at.position],
  });
}

/** Deletes rows at or before `upTo` (published) that are older than `retentionMs`. */
export async function deletePublishedRows(
  client: PoolClient,
  upTo: RelayCheckpoint,
  retentionMs: number,
): Promise<void> {
  await client.query(
    `DELETE FROM outbox
      WHERE (transaction_id, position) <= ($1::xid8, $2::bigint)
        AND created_at < now() - make_interval(secs => $3::double precision / 1000)`,
    [upTo.transactionId, upTo.position, retentionMs],
  );
}
