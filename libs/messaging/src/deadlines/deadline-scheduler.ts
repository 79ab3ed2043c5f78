import {
  commitWith,
  runWrites,
  withTransaction,
  type Queryable,
  type Write,
} from '@fulfil/event-store';
import { Counter, Gauge } from 'prom-client';
import {
  backoffDelay,
  silentLogger,
  sleep,
  type BackoffOptions,
  type MessagingLogger,
} from '../shared/backoff';
import { Wakeup } from '../shared/wakeup';
import { LeasedHandoffs, type Handoff } from './leased-handoffs';
import {
  DeadlineLeaseLostError,
  type CompleteDeadline,
  type Deadline,
  type DeadlineHandler,
  type DeadlineSchedulerOptions,
  type LeasedDeadlineHandler,
  type ScheduledDeadline,
} from './deadline.types';

/**
 * Deletes a leased deadline while its lease still holds, and fails when it no longer does, so
 * that COMMIT can go out with it: dividing by the rows deleted raises division_by_zero for
 * none (an aggregate, so evaluated when the statement runs, never folded as a constant).
 */
const DELETE_HELD_OR_FAIL = `WITH held AS (
    DELETE FROM deadlines WHERE deadline_id = $1 AND due_at = $2 RETURNING 1)
  SELECT 1 / count(*)::int AS held FROM held`;
const DIVISION_BY_ZERO = '22012';

interface DeadlineRow {
  deadline_id: string;
  kind: string;
  due_at: Date;
  payload: unknown;
  attempts: number;
}

const DEFAULT_RETRY: BackoffOptions = { initialMs: 1_000, maxMs: 60_000 };

const SCHEDULE_SQL = `INSERT INTO deadlines (deadline_id, kind, due_at, payload) VALUES ($1, $2, $3, $4)
  ON CONFLICT (deadline_id) DO UPDATE
    SET kind = EXCLUDED.kind, due_at = EXCLUDED.due_at, payload = EXCLUDED.payload,
        attempts = 0, last_error = NULL, scheduled_at = now()`;

/**
 * Durable timeouts: `schedule` writes a deadline in the caller's transaction (so it exists
 * exactly when the state that needs it does), `cancel` removes it, and the background loop
 * hands each due deadline to the handler of its kind in a transaction that also deletes it —
 * once, across any number of service instances (`FOR UPDATE SKIP LOCKED`). A deadline whose
 * handler fails stays, is pushed back with backoff and is retried.
 *
 * Handlers that call out (`onLeased`) never hold a transaction across the call: an open
 * transaction holds back every outbox relay and projection of the cluster (they read only
 * below the oldest running transaction id, ADR 0004). Their deadline is leased instead —
 * its due time moved to the end of the lease in one short statement — and the handler's
 * result is recorded in a transaction that deletes the deadline only if the lease still holds,
 * committed without waiting for its WAL flush (see `CompleteDeadline`).
 */
export class DeadlineScheduler {
  private readonly handlers = new Map<string, DeadlineHandler>();
  private readonly leasedHandlers = new Map<string, LeasedDeadlineHandler>();
  /** How long a leased handler holds its deadline, ms. */
  readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly wakeup = new Wakeup();
  /** Passes at most this often when woken: a burst of due-at-once work is fired in one pass. */
  private readonly wokenPassGapMs: number;
  private readonly wake = () => this.wakeup.wake();
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly logger: MessagingLogger;
  private readonly fired: Counter<'kind' | 'outcome'> | undefined;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** While the loop runs: the deadlines handed off to this process (`handOffWrite`). */
  private handoffs: LeasedHandoffs | undefined;

  constructor(private readonly options: DeadlineSchedulerOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.wokenPassGapMs = Math.min(this.pollIntervalMs, 50);
    this.batchSize = options.batchSize ?? 50;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.logger = options.logger ?? silentLogger;
    if (options.registry) {
      this.fired = new Counter({
        name: 'deadlines_fired_total',
        help: 'Deadlines handed to their handler, by kind and outcome (handled | failed).',
        labelNames: ['kind', 'outcome'],
        registers: [options.registry],
      });
      const pool = options.pool;
      new Gauge({
        name: 'deadlines_due',
        help: 'Deadlines past their due time and not yet handled.',
        registers: [options.registry],
        async collect() {
          const { rows } = await pool.query<{ due: string }>(
            'SELECT count(*)::text AS due FROM deadlines WHERE due_at <= now()',
          );
          this.set(Number(rows[0]?.due ?? 0));
        },
      });
    }
  }

  /** Registers the handler of a kind (once per kind), before `start`. */
  on<Payload>(kind: string, handler: DeadlineHandler<Payload>): this {
    this.refuseSecondHandler(kind);
    this.handlers.set(kind, handler as DeadlineHandler);
    return this;
  }

  /** Registers the leased handler of a kind whose handler calls out (once per kind), before `start`. */
  onLeased<Payload>(kind: string, handler: LeasedDeadlineHandler<Payload>): this {
    this.refuseSecondHandler(kind);
    this.leasedHandlers.set(kind, handler as LeasedDeadlineHandler);
    return this;
  }

  private refuseSecondHandler(kind: string): void {
    if (this.handlers.has(kind) || this.leasedHandlers.has(kind)) {
      throw new Error(`A deadline handler for "${kind}" exists`);
    }
  }

  /** Schedules (or moves) deadline `id` through the caller's transaction. */
  async schedule<Payload>(client: Queryable, deadline: ScheduledDeadline<Payload>): Promise<void> {
    await runWrites(client, [this.scheduleWrite(deadline)]);
  }

  /** Removes deadline `id` (no-op when it does not exist or already fired). */
  async cancel(client: Queryable, id: string): Promise<void> {
    await runWrites(client, [this.cancelWrite(id)]);
  }

  /** `schedule` as a `Write`, to send with a command's other writes in one statement. */
  scheduleWrite<Payload>(deadline: ScheduledDeadline<Payload>): Write {
    return {
      text: SCHEDULE_SQL,
      values: scheduleValues(deadline, deadline.dueAt),
      // Work due at once (a provider call after a command) need not wait for the next poll.
      ...(deadline.dueAt.getTime() <= Date.now() && { onCommit: this.wake }),
    };
  }

  /**
   * `scheduleWrite` for leased work due at once (a provider call after a command) that this
   * process runs itself, without a poll or a lease statement: the deadline is written already
   * leased to this process, and its handler starts as soon as the transaction commits. Should
   * the process die first, the lease runs out and any scheduler fires it, as it would a leased
   * handler that died mid-call. Send it inside `withTransaction` (`runWrites` refuses it
   * elsewhere). A deadline not due yet, of a kind without a leased handler here, or written
   * while the loop is stopped is scheduled as `scheduleWrite` does.
   */
  handOffWrite<Payload>(deadline: ScheduledDeadline<Payload>): Write {
    const handoffs = this.handoffs;
    const handOff =
      handoffs && this.leasedHandlers.has(deadline.kind) && deadline.dueAt.getTime() <= Date.now();
    if (!handOff) return this.scheduleWrite(deadline);
    const leasedUntil = new Date(Date.now() + this.leaseMs);
    const handoff: Handoff = { deadline: { ...deadline, attempts: 0 }, leasedUntil };
    return {
      text: SCHEDULE_SQL,
      values: scheduleValues(deadline, leasedUntil),
      onCommit: () => handoffs.add(handoff),
      onCommitRequired: true,
    };
  }

  /** `cancel` as a `Write`, to send with a command's other writes in one statement. */
  cancelWrite(id: string): Write {
    return { text: 'DELETE FROM deadlines WHERE deadline_id = $1', values: [id] };
  }

  /** Starts the background loop. */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.handoffs = new LeasedHandoffs(this.concurrency, this.leaseMs, (handoff) =>
      this.runHandoff(handoff),
    );
    this.loop = this.run();
  }

  /**
   * Stops the loop after the deadlines in hand; the handed-off ones not yet started are made
   * due at once again, for the next scheduler to start (here or in another instance).
   */
  async stop(): Promise<void> {
    this.abort.abort();
    const handoffs = this.handoffs;
    this.handoffs = undefined;
    await this.loop;
    this.loop = undefined;
    const unstarted = (await handoffs?.stop()) ?? [];
    if (unstarted.length > 0) await this.releaseLeases(unstarted);
  }

  /**
   * Fires the deadlines due now (at most `batchSize`, `concurrency` at a time); returns how
   * many were handled.
   */
  async fireDue(): Promise<number> {
    // One cheap indexed probe first: idle polls must not open a transaction per worker, and a
    // pass starts no more workers than there are deadlines due, each trying only the kinds
    // (leased or not) that have any.
    const due = await this.dueNow();
    const budget = due.leased + due.plain;
    if (budget === 0) return 0;
    const kinds = { leased: due.leased > 0, plain: due.plain > 0 };
    let taken = 0;
    let handled = 0;
    const worker = async () => {
      while (taken < budget && !this.abort.signal.aborted) {
        taken += 1;
        const outcome = await this.fireNext(kinds);
        // A failure ends this worker's pass: the deadline was pushed back, and a failing
        // dependency is not hammered in a tight loop.
        if (outcome !== 'handled') return;
        handled += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, budget) }, worker));
    return handled;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const handled = await this.fireDue();
        failures = 0;
        if (handled < this.batchSize)
          await this.wakeup.sleep(this.pollIntervalMs, this.abort.signal, this.wokenPassGapMs);
      } catch (error) {
        failures += 1;
        this.logger.warn(`deadline scheduler: ${(error as Error).message}`);
        await sleep(backoffDelay(failures), this.abort.signal);
      }
    }
  }

  /** How many deadlines are due now (at most `batchSize`), of leased and of other kinds. */
  private async dueNow(): Promise<{ leased: number; plain: number }> {
    const { rows } = await this.options.pool.query<{ leased: number; plain: number }>({
      name: 'deadlines.due_now',
      text: `SELECT count(*) FILTER (WHERE kind = ANY($1::text[]))::int AS leased,
                    count(*) FILTER (WHERE kind <> ALL($1::text[]))::int AS plain
               FROM (SELECT kind FROM deadlines WHERE due_at <= now()
                      ORDER BY due_at LIMIT $2) AS due`,
      values: [[...this.leasedHandlers.keys()], this.batchSize],
    });
    return rows[0] ?? { leased: 0, plain: 0 };
  }

  /** Takes the most overdue deadline of the given kinds nobody else holds and runs its handler. */
  private async fireNext(kinds: {
    leased: boolean;
    plain: boolean;
  }): Promise<'none' | 'handled' | 'failed'> {
    if (kinds.leased) {
      const leased = await this.fireNextLeased();
      if (leased !== 'none') return leased;
    }
    if (!kinds.plain) return 'none';
    return withTransaction(this.options.pool, async (client) => {
      const { rows } = await client.query<DeadlineRow>({
        name: 'deadlines.take',
        text: `SELECT deadline_id, kind, due_at, payload, attempts FROM deadlines
                WHERE due_at <= now() AND kind <> ALL($1::text[])
                ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
        values: [[...this.leasedHandlers.keys()]],
      });
      const row = rows[0];
      if (!row) return 'none';
      const deadline = toDeadline(row);
      // The row stays locked until it is deleted or pushed back: a failure is undone to this
      // savepoint, so no other worker can take the deadline again before the backoff applies.
      await client.query('SAVEPOINT deadline_handler');
      try {
        const handler = this.handlers.get(row.kind);
        if (!handler) throw new Error(`no handler for deadline kind "${row.kind}"`);
        await handler(deadline.payload, client, deadline);
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT deadline_handler');
        await this.postpone(client, deadline, error as Error);
        return 'failed';
      }
      await client.query('DELETE FROM deadlines WHERE deadline_id = $1', [row.deadline_id]);
      this.fired?.inc({ kind: row.kind, outcome: 'handled' });
      return 'handled';
    });
  }

  /**
   * Leases the most overdue deadline of a leased kind (its due time moves to the lease's end,
   * which is also the lease's fencing token) and runs its handler outside any transaction.
   */
  private async fireNextLeased(): Promise<'none' | 'handled' | 'failed'> {
    const { rows } = await this.options.pool.query<DeadlineRow>({
      name: 'deadlines.lease',
      // Whole milliseconds: the due time comes back as a JS Date and must compare equal.
      text: `UPDATE deadlines
                SET due_at = date_trunc('milliseconds', now() + make_interval(secs => $2 / 1000.0))
              WHERE deadline_id = (
                SELECT deadline_id FROM deadlines
                 WHERE due_at <= now() AND kind = ANY($1::text[])
                 ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING deadline_id, kind, due_at, payload, attempts`,
      values: [[...this.leasedHandlers.keys()], this.leaseMs],
    });
    const row = rows[0];
    if (!row) return 'none';
    return this.runLeased(toDeadline(row), row.due_at);
  }

  /** A handed-off deadline's run: as a leased one's, with a failure to push it back logged. */
  private async runHandoff({ deadline, leasedUntil }: Handoff): Promise<void> {
    try {
      await this.runLeased(deadline, leasedUntil);
    } catch (error) {
      // Not even pushed back (the database is out of reach): the lease's end makes it due.
      this.logger.warn(`deadline ${deadline.id}: ${(error as Error).message}`);
    }
  }

  /** Runs the handler of a deadline leased until `leasedUntil`, holding no transaction. */
  private async runLeased(deadline: Deadline, leasedUntil: Date): Promise<'handled' | 'failed'> {
    const { pool } = this.options;
    let completed = false;
    const complete: CompleteDeadline = async (work) => {
      if (completed) throw new Error(`deadline ${deadline.id} was already completed`);
      completed = true;
      await withTransaction(pool, async (client) => {
        await work(client);
        // Last, so the transaction takes its id at the work's first write (event-store order),
        // and sent with COMMIT (one round trip less): a lost lease fails it, so nothing commits.
        // Without waiting for the WAL flush: lost in a crash, the deadline is simply run again
        // (CompleteDeadline says why that is safe).
        try {
          await commitWith(client, DELETE_HELD_OR_FAIL, [deadline.id, leasedUntil], {
            synchronousCommit: false,
          });
        } catch (error) {
          if ((error as { code?: unknown }).code === DIVISION_BY_ZERO) {
            throw new DeadlineLeaseLostError(deadline.id);
          }
          throw error;
        }
      });
    };
    try {
      await this.leasedHandlers.get(deadline.kind)!(deadline.payload, complete, deadline);
      // Nothing to record: the deadline goes, unless it changed hands meanwhile.
      if (!completed) {
        await pool.query('DELETE FROM deadlines WHERE deadline_id = $1 AND due_at = $2', [
          deadline.id,
          leasedUntil,
        ]);
      }
    } catch (error) {
      await this.postpone(pool, deadline, error as Error, leasedUntil);
      return 'failed';
    }
    this.fired?.inc({ kind: deadline.kind, outcome: 'handled' });
    return 'handled';
  }

  /** Makes handed-off deadlines that never started due at once, while their lease holds. */
  private async releaseLeases(handoffs: readonly Handoff[]): Promise<void> {
    try {
      await this.options.pool.query(
        `UPDATE deadlines d SET due_at = now()
           FROM unnest($1::text[], $2::timestamptz[]) AS h(deadline_id, leased_until)
          WHERE d.deadline_id = h.deadline_id AND d.due_at = h.leased_until`,
        [handoffs.map((h) => h.deadline.id), handoffs.map((h) => h.leasedUntil)],
      );
    } catch (error) {
      // Their leases run out on their own; they are late, not lost.
      this.logger.warn(
        `deadline scheduler: releasing handed-off deadlines failed: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Pushes a failed deadline back with backoff, keeping the attempt count and the reason (only
   * while it is still `leasedUntil`, for a leased one: otherwise it is no longer ours).
   */
  private async postpone(
    client: Queryable,
    deadline: Deadline,
    error: Error,
    leasedUntil?: Date,
  ): Promise<void> {
    const attempts = deadline.attempts + 1;
    const delayMs = backoffDelay(attempts, this.options.retryBackoff ?? DEFAULT_RETRY);
    this.fired?.inc({ kind: deadline.kind, outcome: 'failed' });
    this.logger.warn(
      `deadline ${deadline.id} (${deadline.kind}) failed ${attempts} time(s), retry in ${Math.round(delayMs)} ms: ${error.message}`,
    );
    await client.query(
      `UPDATE deadlines
          SET attempts = $2, last_error = $3, due_at = now() + make_interval(secs => $4 / 1000.0)
        WHERE deadline_id = $1 AND ($5::timestamptz IS NULL OR due_at = $5)`,
      [deadline.id, attempts, error.message.slice(0, 2_000), delayMs, leasedUntil ?? null],
    );
  }
}

function scheduleValues(deadline: ScheduledDeadline, dueAt: Date): unknown[] {
  return [deadline.id, deadline.kind, dueAt, JSON.stringify(deadline.payload ?? null)];
}

function toDeadline(row: DeadlineRow): Deadline {
  return {
    id: row.deadline_id,
    kind: row.kind,
    dueAt: row.due_at,
    payload: row.payload,
    attempts: row.attempts,
  };
}
