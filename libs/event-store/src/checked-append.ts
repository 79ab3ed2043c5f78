import { WrongExpectedVersionError } from './event-store.errors';
import type { ExpectedVersion } from './event.types';

// The checked append of `EventStore.appendToStream`: its statements and the check of their
// stream head.

/** The head of stream $1: one row, also for an empty stream (version 0, last_tx null). */
const HEAD_QUERY = `SELECT coalesce(last.stream_version, 0) AS version,
         last.transaction_id AS last_tx, pg_current_xact_id_if_assigned() AS own_tx,
         last.event_id AS last_event_id
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (
      SELECT stream_version, transaction_id, event_id FROM events
       WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1
    ) AS last ON true`;

/** The head's columns as `checkHead` reads them, in both statements that check it. */
const HEAD_COLUMNS = `head.version, head.last_tx::text AS last_tx, head.own_tx::text AS own_tx,
       head.last_event_id::text AS last_event_id`;

/**
 * The whole append in one statement: reads the stream head, inserts the batch as versions
 * head + 1 … head + n only when the head passes the checks, and returns the head on every
 * row, joined with the inserted rows (one row with null inserted columns when none were).
 *
 * $2 is the expected version (null: any), $9 the id of the event expected at it (null: not
 * checked). The transaction-order rule: no append after a stream's last event written by a
 * younger transaction than ours (own_tx null means we have no id yet; the one our insert takes
 * is younger than every existing one, so nothing to refuse).
 *
 * Why reading the head here is sound:
 * - Every part of the statement runs on the snapshot taken at its start, and the parts of one
 *   statement never see each other's writes: `head` sees the committed stream as of the
 *   statement's start, never a row of this insert.
 * - `head` is MATERIALIZED (evaluated once; the final SELECT reads the same row), and the
 *   INSERT's rows are built from it, so it is evaluated before the first row is inserted —
 *   before the `transaction_id` default (`pg_current_xact_id()`) of that row assigns our
 *   transaction its id. So `own_tx` is the id we had before this statement, as the separate
 *   head query used to see it.
 * - A writer that took one of our versions after our snapshot (committed or still running) is
 *   invisible to `head`, but the unique key (stream_id, stream_version) still catches it: the
 *   insert waits for that writer, and if it commits, ON CONFLICT DO NOTHING skips our row
 *   instead of raising an error, which would abort the caller's transaction. Fewer rows back
 *   than events sent means such a conflict; the caller deletes the rows that did go in.
 * - A duplicate event id is not an arbiter: it still raises unique_violation (23505).
 */
export const CHECKED_APPEND_SQL = `WITH head AS MATERIALIZED (${HEAD_QUERY}),
  inserted AS (
    INSERT INTO events
      (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at)
    SELECT $1, head.version + e.ord::int, e.event_id, e.event_type, e.schema_version, e.data,
           e.metadata, coalesce(e.recorded_at, now())
      FROM head,
           unnest($3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[], $8::timestamptz[])
             WITH ORDINALITY AS e(event_id, event_type, schema_version, data, metadata, recorded_at, ord)
     WHERE ($2::int IS NULL OR head.version = $2::int)
       AND ($9::uuid IS NULL OR head.last_event_id = $9::uuid)
       AND (head.own_tx IS NULL OR head.last_tx IS NULL OR head.last_tx <= head.own_tx)
     ORDER BY e.ord
    ON CONFLICT (stream_id, stream_version) DO NOTHING
    RETURNING global_position, stream_version, transaction_id, recorded_at
  )
SELECT ${HEAD_COLUMNS},
       inserted.global_position::text AS global_position, inserted.stream_version,
       inserted.transaction_id::text AS transaction_id, inserted.recorded_at
  FROM head LEFT JOIN inserted ON true`;

/** The stream head, checked alone (an append of no events). */
export const STREAM_HEAD_SQL = `SELECT ${HEAD_COLUMNS} FROM (${HEAD_QUERY}) AS head`;

export interface HeadRow {
  version: number;
  last_tx: string | null;
  own_tx: string | null;
  last_event_id: string | null;
}

/** An inserted row of the checked append; all null on the row of an append that inserted none. */
export interface InsertedRow {
  global_position: string | null;
  stream_version: number | null;
  transaction_id: string | null;
  recorded_at: Date | null;
}

/** Throws when the stream head refuses the append (the checks of `CHECKED_APPEND_SQL`). */
export function checkHead(
  streamId: string,
  expectedVersion: ExpectedVersion,
  expected: number | 'any',
  expectedLastEventId: string | undefined,
  head: HeadRow,
): void {
  if (expected !== 'any' && head.version !== expected) {
    throw new WrongExpectedVersionError(
      streamId,
      expectedVersion,
      head.version,
      'version-mismatch',
    );
  }
  if (expectedLastEventId !== undefined && head.last_event_id !== expectedLastEventId) {
    throw new WrongExpectedVersionError(streamId, expectedVersion, head.version, 'head-mismatch');
  }
  if (head.own_tx !== null && head.last_tx !== null && BigInt(head.last_tx) > BigInt(head.own_tx)) {
    throw new WrongExpectedVersionError(
      streamId,
      expectedVersion,
      head.version,
      'transaction-order',
    );
  }
}
