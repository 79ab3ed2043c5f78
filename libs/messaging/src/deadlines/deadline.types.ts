import type { Pool, PoolClient } from 'pg';
import type { Registry } from 'prom-client';
import type { BackoffOptions, MessagingLogger } from '../shared/backoff';

/** A scheduled timeout as its handler sees it. */
export interface Deadline<Payload = unknown> {
  /** Caller-chosen id, e.g. `reservation-expiry:<reservationId>`: scheduling it again moves it. */
  readonly id: string;
  /** Selects the handler (`on(kind, …)`). */
  readonly kind: string;
  readonly dueAt: Date;
  readonly payload: Payload;
  /** Failed handler runs so far. */
  readonly attempts: number;
}

/** A deadline to schedule (`schedule`, `scheduleWrite`). */
export type ScheduledDeadline<Payload = unknown> = Omit<Deadline<Payload>, 'attempts'>;

/**
 * Handles a due deadline inside the transaction that also deletes it: write the consequences
 * through `client`. Throw to have it retried later (with backoff); nothing it wrote is kept.
 */
export type DeadlineHandler<Payload = unknown> = (
  payload: Payload,
  client: PoolClient,
  deadline: Deadline<Payload>,
) => Promise<void>;

/**
 * Completes a leased deadline: runs `work` in a transaction that also deletes the deadline.
 * Throws {@link DeadlineLeaseLostError} (and undoes `work`) when the deadline was moved,
 * cancelled or taken over by another worker after its lease ran out while the handler ran.
 *
 * The transaction commits without waiting for its WAL flush: should PostgreSQL crash before
 * the WAL writer (or a later durable commit) flushed it, `work` is lost together with the
 * deadline's delete, and the deadline runs again once its lease ran out — a call the callee's
 * idempotency answers as before. What `work` publishes through the outbox leaves only after a
 * flush (the relay's barrier). So `work` must be safe to record again, as any retry needs.
 */
export type CompleteDeadline = (work: (client: PoolClient) => Promise<void>) => Promise<void>;

/**
 * Handles a due deadline that calls out (a payment provider) OUTSIDE any database transaction,
 * holding a lease on it: call out first, then `complete(work)` to record the answer. Returning
 * without calling `complete` deletes the deadline (nothing was left to do). Throw to have it
 * retried later (with backoff). Keep the call shorter than the lease: after it, another worker
 * may take the deadline and call out again, so the callee must be idempotent.
 */
export type LeasedDeadlineHandler<Payload = unknown> = (
  payload: Payload,
  complete: CompleteDeadline,
  deadline: Deadline<Payload>,
) => Promise<void>;

/** The deadline changed hands or was cancelled while its leased handler ran. */
export class DeadlineLeaseLostError extends Error {
  constructor(id: string) {
    super(`deadline ${id} was moved, cancelled or taken over while its handler ran`);
  }
}

/** Options of {@link DeadlineScheduler}. */
export interface DeadlineSchedulerOptions {
  readonly pool: Pool;
  /**
   * How often to look for due deadlines when none were due, ms. Default 250. A deadline due at
   * once that this scheduler's process schedules wakes it as soon as its transaction commits
   * (passes then start at most every 50 ms, or every poll interval when that is shorter).
   */
  readonly pollIntervalMs?: number;
  /** Deadlines fired per pass at most. Default 50. */
  readonly batchSize?: number;
  /**
   * Deadlines handled at the same time, each in its own transaction. Default 4: handlers that
   * call out (a payment provider) would otherwise queue behind each other's round trips.
   */
  readonly concurrency?: number;
  /** Delay before a failed deadline is tried again. Default 1 s doubling up to 60 s, jittered. */
  readonly retryBackoff?: BackoffOptions;
  /**
   * How long a leased handler ({@link DeadlineScheduler.onLeased}) holds its deadline. Default
   * 60 s; in a service, `DEADLINE_LEASE_MS`.
   */
  readonly leaseMs?: number;
  /** Where `deadlines_due` and `deadlines_fired_total` go. */
  readonly registry?: Registry;
  readonly logger?: MessagingLogger;
}
