import type { CloudEventEnvelope, IntegrationEvent } from '@fulfil/contracts';
import type { Kafka } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import type { Registry } from 'prom-client';
import type { BackoffOptions, MessagingLogger } from '../shared/backoff';

/** Where a message came from, given to handlers. */
export interface MessageSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly groupId: string;
}

/**
 * Handles one event inside the consumer's database transaction: write the state change through
 * `client` (never another connection) so it commits together with the inbox row. Throw to
 * retry; the transaction is rolled back.
 */
export type IntegrationEventHandler = (
  event: IntegrationEvent,
  envelope: CloudEventEnvelope,
  client: PoolClient,
  source: MessageSource,
) => Promise<void>;

/** Options of {@link InboxConsumer}. */
export interface InboxConsumerOptions {
  readonly pool: Pool;
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Handlers by `ce_type` (versioned wire name, `fulfil.orders.OrderPlaced.v1`) or by wire name
   * without version (`fulfil.orders.OrderPlaced`, any version). Valid events with no handler
   * are skipped without touching the database (nothing to apply, nothing to de-duplicate).
   */
  readonly handlers?: ReadonlyMap<string, IntegrationEventHandler>;
  /** Handler runs before a message is dead-lettered. Default 5. */
  readonly maxAttempts?: number;
  /** Backoff between handler attempts. Default 100 ms doubling up to 2 s, jittered. */
  readonly backoff?: BackoffOptions;
  /** Read a topic from the beginning when the group has no committed offset. Default true. */
  readonly fromBeginning?: boolean;
  /**
   * Where `inbox_processed_total`, `inbox_ignored_total`, `inbox_duplicates_total`,
   * `inbox_dead_lettered_total` and `inbox_rewinds_total` go.
   */
  readonly registry?: Registry;
  readonly logger?: MessagingLogger;
  /**
   * How long the group waits for this member's heartbeat before it hands the member's
   * partitions to others, ms. Default 30000 (`KAFKA_SESSION_TIMEOUT_MS` through
   * `connectInbox`). Heartbeats go every third of it, at most every 3 s (kafkajs' default).
   */
  readonly sessionTimeoutMs?: number;
  /**
   * How long `start()` waits for the consumer to join its group, ms; the join then goes on in
   * the background. Default 5000. A group with a member that died (a crashed instance of the
   * service, restarted at once) cannot complete a rebalance until that member's session times
   * out — up to its `sessionTimeoutMs` — and the service's HTTP API, which needs no consumer,
   * should not wait for it.
   */
  readonly joinWaitMs?: number;
  /** Partitions handled at the same time (each still in order). Default 3. */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * How often the offsets of handled messages are committed, ms. Default 1000. A crash loses
   * at most this long's commits: those messages come again, and the inbox skips them.
   */
  readonly offsetCommitIntervalMs?: number;
  /**
   * Commit inbox transactions without waiting for their WAL flush (`synchronous_commit` off for
   * them alone): a flush less per event on the consumer's path. Their effects leave the
   * database only after a flush all the same: offsets are committed after one, on a session
   * of the consumer's own that has lived since before those transactions (`FlushSession`), and
   * the service's outbox relay must flush before publishing
   * (`OutboxRelayOptions.flushBeforePublishing`). A PostgreSQL crash may lose the last such
   * transactions; the consumer notices by the loss of that session, drops the offsets resolved
   * since its last commit and consumes again from there, so their events come again. The
   * session holds one connection of `pool` while the consumer runs. Not for handlers with
   * effects outside the database (a call, a hand-off run at commit). Default false; ignored,
   * with a warning, on PostgreSQL before 17, which cannot flush on demand.
   */
  readonly asynchronousCommit?: boolean;
  /**
   * Consecutive events of one partition handled in one database transaction at most (one
   * BEGIN/COMMIT and one inbox insert for all). Default 20; 1 handles each on its own. Only
   * events already waiting are grouped, so a consumer that keeps up still handles one at a time.
   */
  readonly maxEventsPerTransaction?: number;
  /**
   * Events that change nothing here in any state, told from the event alone (a payment intent
   * the customer has yet to pay, for orders): skipped as events without a handler are — no
   * transaction, no inbox row. Their redelivery is skipped again, so there is nothing to
   * de-duplicate. Never for an event whose effect depends on stored state.
   */
  readonly skip?: (event: IntegrationEvent, envelope: CloudEventEnvelope) => boolean;
  /**
   * For consumers whose handlers take transaction-level advisory locks
   * (`pg_advisory_xact_lock(hashtextextended(key, 0))`): the keys the handler of `event` will
   * lock, computed from the event alone, or `undefined` when they cannot be known up front (they
   * depend on stored state). Without it, grouped handlers would take their locks one event after
   * another — several sorted sets in a row are not sorted, so two groups could deadlock — and
   * wait for them after the transaction already wrote.
   *
   * With it, a group first takes the sorted union of its events' keys in one statement, before
   * any handler runs; the handlers then find their locks held (they are re-entrant) and must
   * take no others. An event whose keys are `undefined` is handled in a transaction of its own.
   * An event handled alone gets no locks from the inbox: its handler takes them as usual.
   */
  readonly lockKeys?: (
    event: IntegrationEvent,
    envelope: CloudEventEnvelope,
  ) => readonly string[] | undefined;
}
