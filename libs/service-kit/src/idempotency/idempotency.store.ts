import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ClientConfig, Pool, QueryResult, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { ClaimOwner, OWNER_GONE } from './claim-owner';

/** Identifies one key: the caller's key on one route (method + pattern). */
export interface IdempotencyScope {
  readonly caller: string;
  readonly method: string;
  readonly route: string;
  readonly key: string;
}

/** A key this request holds while its handler runs. */
export interface IdempotencyClaim extends IdempotencyScope {
  readonly lockToken: string;
}

/** A statement with its values (shaped like event-store's `Write`). */
export interface IdempotencyStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** A response as it is stored and replayed. `body` is the exact text sent (none: null). */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

/** The row found for a key this request could not claim. */
export type ExistingKey =
  /** Past its retention: as good as absent. */
  | { readonly state: 'expired' }
  | {
      readonly state: 'processing';
      readonly fingerprint: string;
      /** Past its lock timeout, or its process's session ended: the process is presumed dead. */
      readonly abandoned: boolean;
    }
  | {
      readonly state: 'completed';
      readonly fingerprint: string;
      readonly response: StoredResponse;
    };

interface KeyRow {
  fingerprint: string;
  state: 'processing' | 'completed';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: Buffer | null;
  expired: boolean;
  abandoned: boolean;
}

const SCOPE_MATCH = 'caller = $1 AND method = $2 AND route = $3 AND idempotency_key = $4';
const PURGE_INTERVAL_MS = 10 * 60 * 1_000;
const PURGE_BATCH = 1_000;
const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';
/** Columns that IDEMPOTENCY_MIGRATIONS after the first add: a table older than them lacks them. */
const COLUMNS_ADDED_LATER = ['owner_key'];

/**
 * Whether `error` says the service's database lacks some of IDEMPOTENCY_MIGRATIONS: no
 * idempotency_keys table, or one without a column a later migration adds. Any other undefined
 * table or column (a store query naming one wrongly) keeps PostgreSQL's own message.
 */
function lacksIdempotencyMigrations(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return false;
  if (code === UNDEFINED_TABLE) return message.includes('"idempotency_keys"');
  if (code === UNDEFINED_COLUMN)
    return COLUMNS_ADDED_LATER.some((column) => message.includes(column));
  return false;
}

/** A claim its process no longer holds: past its lock timeout, or its owner gone. */
const ABANDONED = `k.state = 'processing' AND (k.locked_until <= now() OR ${OWNER_GONE})`;

const scopeParams = (scope: IdempotencyScope): string[] => [
  scope.caller,
  scope.method,
  scope.route,
  scope.key,
];

/** Stores an answer: `$1…$4` the scope, `$5` the lock token, `$6…$8` the response. */
const STORE_ANSWER = `UPDATE idempotency_keys
    SET state = 'completed', completed_at = now(),
        response_status = $6, response_headers = $7::jsonb, response_body = $8`;

const answerValues = (claim: IdempotencyClaim, response: StoredResponse): unknown[] => [
  ...scopeParams(claim),
  claim.lockToken,
  response.status,
  JSON.stringify(response.headers),
  response.body === null ? null : Buffer.from(response.body, 'utf8'),
];

/**
 * The statement that stores `response` as the answer of `claim`, to run in the transaction of
 * the handler's own writes: the answer commits with what it answers for. It leaves the lock
 * token in place, so that the interceptor can still replace the answer with the one it sends,
 * should they differ (`complete`). A claim lost meanwhile (taken over after its lock timeout)
 * matches no row: the answer is then its successor's to store.
 */
export function answerStatement(
  claim: IdempotencyClaim,
  response: StoredResponse,
): IdempotencyStatement {
  return {
    text: `${STORE_ANSWER} WHERE ${SCOPE_MATCH} AND lock_token = $5`,
    values: answerValues(claim, response),
  };
}

/**
 * A key of a `claimWithAnswer` route (see `IdempotentOptions`): not claimed before its handler
 * runs, but taken by the write of its answer. `lockToken` tells this request's answer apart.
 */
export interface KeyToAnswer extends IdempotencyClaim {
  readonly fingerprint: string;
  readonly retentionMs: number;
}

/**
 * Inserts the key as answered, or replaces a row it may take: this request's own (an answer
 * it replaces), one past its retention, or an abandoned claim of the same request (made by a
 * route without `claimWithAnswer`, see `ABANDONED`). `$1…$4` the scope, `$5` the fingerprint,
 * `$6` the lock token, `$7` the retention in ms, `$8…$10` the response. `whenTaken` is the SQL
 * of the ON CONFLICT clause's WHERE given that condition: what happens to a row it may not take.
 */
function answerTakingKeySql(whenTaken: (mayTake: string) => string): string {
  const mayTake = `(k.lock_token = EXCLUDED.lock_token OR k.expires_at <= now()
      OR (k.fingerprint = EXCLUDED.fingerprint AND ${ABANDONED}))`;
  return `INSERT INTO idempotency_keys AS k
      (caller, method, route, idempotency_key, fingerprint, state, lock_token, expires_at,
       completed_at, response_status, response_headers, response_body)
    VALUES ($1, $2, $3, $4, $5, 'completed', $6::uuid,
            now() + $7::float8 * interval '1 millisecond', now(), $8, $9::jsonb, $10)
    ON CONFLICT (caller, method, route, idempotency_key) DO UPDATE SET
      fingerprint = EXCLUDED.fingerprint, state = 'completed', lock_token = EXCLUDED.lock_token,
      locked_until = NULL, owner_key = NULL, created_at = now(), expires_at = EXCLUDED.expires_at,
      completed_at = now(), response_status = EXCLUDED.response_status,
      response_headers = EXCLUDED.response_headers, response_body = EXCLUDED.response_body
    WHERE ${whenTaken(mayTake)}`;
}

const answerTakingKeyValues = (key: KeyToAnswer, response: StoredResponse): unknown[] => [
  ...scopeParams(key),
  key.fingerprint,
  key.lockToken,
  key.retentionMs,
  response.status,
  JSON.stringify(response.headers),
  response.body === null ? null : Buffer.from(response.body, 'utf8'),
];

/** Seed of the key locks' hash: apart from other advisory locks on hashes of text. */
const KEY_LOCK_SEED = 1_207_203;

/** What marks the error of {@link answerTakingKeyStatement} meeting a key taken first. */
const KEY_TAKEN_MARK = 'idempotency key taken by another request';
/** What marks the error of {@link keyGuardStatement} meeting a key in another's transaction. */
const KEY_IN_PROGRESS_MARK = 'idempotency key in progress in another transaction';
const INVALID_TEXT_REPRESENTATION = '22P02';

/** Whether `error` is PostgreSQL's failure to read a text carrying `mark` (see below). */
function failedWithMark(error: unknown, mark: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === INVALID_TEXT_REPRESENTATION && typeof message === 'string' && message.includes(mark)
  );
}

/**
 * The first statement of a `claimWithAnswer` request's transaction: takes a lock on the key
 * that lasts as long as the transaction, and fails it ({@link isKeyInProgressError}) when
 * another transaction holds that lock — another request with the key, still running. What keeps
 * such a request from running the handler beside the first, and answers it 409 as the claim
 * does on other routes. The lock is PostgreSQL's advisory lock on a 64-bit hash of the key's
 * scope. It fails by casting a text to integer; the lock's result is a column of a
 * materialized CTE, so the cast cannot be folded into a constant and evaluated when planning.
 */
export function keyGuardStatement(scope: IdempotencyScope): IdempotencyStatement {
  return { text: KEY_GUARD, values: [JSON.stringify(scopeParams(scope))] };
}

const KEY_GUARD = `WITH lock AS MATERIALIZED (
    SELECT pg_try_advisory_xact_lock(hashtextextended($1, ${KEY_LOCK_SEED})) AS got)
  SELECT CASE WHEN got THEN 1 ELSE ('${KEY_IN_PROGRESS_MARK}: ' || got::text)::int END
    FROM lock`;

/** Whether `error` is {@link keyGuardStatement}'s: another transaction holds the key. */
export function isKeyInProgressError(error: unknown): boolean {
  return failedWithMark(error, KEY_IN_PROGRESS_MARK);
}

/**
 * The statement that stores `response` as the answer of `key` in the transaction of the
 * handler's own writes, taking the key: should another request have taken it first (its
 * transaction committed, or committing while this one waits on the key's row), the statement
 * fails ({@link isKeyTakenError}) and so the whole transaction — what this request did is
 * undone, and the other one's answer is the key's.
 *
 * It fails by casting a text naming the key to boolean in the ON CONFLICT clause's WHERE,
 * evaluated only for a row it may not take (a column in it keeps it from being folded as a
 * constant): plain SQL, so that no function must be migrated into every service's database.
 */
export function answerTakingKeyStatement(
  key: KeyToAnswer,
  response: StoredResponse,
): IdempotencyStatement {
  return { text: ANSWER_TAKING_KEY, values: answerTakingKeyValues(key, response) };
}

const ANSWER_TAKING_KEY = answerTakingKeySql(
  (mayTake) =>
    `CASE WHEN ${mayTake} THEN true ELSE ('${KEY_TAKEN_MARK}: ' || k.idempotency_key)::boolean END`,
);
/** {@link ANSWER_TAKING_KEY} without the failure: for a key taken first it returns no row. */
const ANSWER_TAKING_FREE_KEY = `${answerTakingKeySql((mayTake) => mayTake)} RETURNING 1`;

/** Whether `error` is {@link answerTakingKeyStatement}'s: another request took the key first. */
export function isKeyTakenError(error: unknown): boolean {
  return failedWithMark(error, KEY_TAKEN_MARK);
}

/**
 * The `idempotency_keys` table (see `IDEMPOTENCY_MIGRATIONS`). Every decision is
 * one atomic statement, and all times are the database's (`now()`), so several instances of
 * a service agree without clock coordination.
 *
 * Statements run on the pg pool of the kit's TypeORM `DataSource` itself (prepared, like all
 * its statements with parameters): `DataSource.query` would wrap each of the two statements
 * of every idempotent request in a QueryRunner of its own, for nothing a single statement needs.
 */
@Injectable()
export class IdempotencyStore implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Idempotency');
  private lastPurgeAt = 0;
  private purging: Promise<unknown> | undefined;
  /** This process, as the owner of its claims; its session opens at the first claim. */
  private readonly owner = new ClaimOwner((): ClientConfig => {
    const { options } = this.pool();
    // Named apart from the pool's connections in pg_stat_activity.
    return { ...options, application_name: `${options.application_name ?? 'fulfil'}-key-owner` };
  }, this.logger);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims the key for this request: inserts it as `processing`, or takes over a row that has
   * expired, or an abandoned one with the same fingerprint — past its lock timeout, or its
   * owner's session gone with its process ({@link ClaimOwner}). Concurrent claims are
   * serialised by the primary key: exactly one gets the claim.
   *
   * The claim commits without waiting for its WAL flush (`synchronous_commit` off for this
   * statement's transaction alone): a flush less per idempotent request. Nothing depends on
   * the claim surviving a database crash by itself. Whatever the handler then commits durably
   * is flushed after it in the same WAL, claim included; a crash that loses the claim has lost
   * every effect of the request with it, and a retry runs afresh. The stored answer
   * (`complete`) stays durable: once sent, it must be what a retry replays.
   */
  async claim(
    scope: IdempotencyScope,
    fingerprint: string,
    lockTimeoutMs: number,
    retentionMs: number,
  ): Promise<IdempotencyClaim | undefined> {
    const lockToken = randomUUID();
    const { rows } = await this.query<{ lock_token: string }>(
      `WITH asynchronous_commit AS MATERIALIZED (
         SELECT set_config('synchronous_commit', 'off', true))
       INSERT INTO idempotency_keys AS k
         (caller, method, route, idempotency_key, fingerprint, state, lock_token, locked_until,
          expires_at, owner_key)
       SELECT $1::text, $2::text, $3::text, $4::text, $5::text, 'processing', $6::uuid,
              now() + $7::float8 * interval '1 millisecond',
              now() + $8::float8 * interval '1 millisecond', $9::bigint
         FROM asynchronous_commit
       ON CONFLICT (caller, method, route, idempotency_key) DO UPDATE SET
         fingerprint = EXCLUDED.fingerprint, state = 'processing',
         lock_token = EXCLUDED.lock_token, locked_until = EXCLUDED.locked_until,
         expires_at = EXCLUDED.expires_at, owner_key = EXCLUDED.owner_key, created_at = now(),
         completed_at = NULL, response_status = NULL, response_headers = NULL,
         response_body = NULL
       WHERE k.expires_at <= now()
          OR (k.fingerprint = EXCLUDED.fingerprint AND ${ABANDONED})
       RETURNING k.lock_token`,
      [
        ...scopeParams(scope),
        fingerprint,
        lockToken,
        lockTimeoutMs,
        retentionMs,
        await this.owner.ownerKey(),
      ],
    );
    return rows.length === 1 ? { ...scope, lockToken } : undefined;
  }

  /** The key's row as it stands, `undefined` when there is none. */
  async find(scope: IdempotencyScope): Promise<ExistingKey | undefined> {
    const {
      rows: [row],
    } = await this.query<KeyRow>(
      `SELECT fingerprint, state, response_status, response_headers, response_body,
              expires_at <= now() AS expired,
              (${ABANDONED}) AS abandoned
         FROM idempotency_keys k WHERE ${SCOPE_MATCH}`,
      scopeParams(scope),
    );
    if (!row) return undefined;
    if (row.expired) return { state: 'expired' };
    if (row.state === 'processing') {
      return { state: 'processing', fingerprint: row.fingerprint, abandoned: row.abandoned };
    }
    return {
      state: 'completed',
      fingerprint: row.fingerprint,
      response: {
        status: row.response_status ?? 500,
        headers: row.response_headers ?? {},
        body: row.response_body === null ? null : row.response_body.toString('utf8'),
      },
    };
  }

  /**
   * Stores the response of a claimed key. False when the claim was lost meanwhile (a retry
   * took it over after the lock timeout); the row is then left to that retry.
   */
  async complete(claim: IdempotencyClaim, response: StoredResponse): Promise<boolean> {
    const { rowCount } = await this.query(
      `${STORE_ANSWER}, lock_token = NULL, locked_until = NULL
        WHERE ${SCOPE_MATCH} AND lock_token = $5`,
      answerValues(claim, response),
    );
    return rowCount === 1;
  }

  /**
   * Stores `response` as the answer of a `claimWithAnswer` key, taking the key as
   * {@link answerTakingKeyStatement} does; false, storing nothing, when another request took it.
   */
  async storeAnswer(key: KeyToAnswer, response: StoredResponse): Promise<boolean> {
    const { rowCount } = await this.query(
      ANSWER_TAKING_FREE_KEY,
      answerTakingKeyValues(key, response),
    );
    return rowCount === 1;
  }

  /** Gives a claimed key up (the request failed transiently): a retry runs afresh. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.query(`DELETE FROM idempotency_keys WHERE ${SCOPE_MATCH} AND lock_token = $5`, [
      ...scopeParams(claim),
      claim.lockToken,
    ]);
  }

  /** Deletes up to `limit` expired rows; returns how many. */
  async purgeExpired(limit = PURGE_BATCH): Promise<number> {
    const { rows } = await this.query<{ count: number }>(
      `WITH doomed AS (
         SELECT caller, method, route, idempotency_key FROM idempotency_keys
          WHERE expires_at <= now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED),
       purged AS (
         DELETE FROM idempotency_keys k USING doomed d
          WHERE (k.caller, k.method, k.route, k.idempotency_key)
              = (d.caller, d.method, d.route, d.idempotency_key)
          RETURNING 1)
       SELECT count(*)::int AS count FROM purged`,
      [limit],
    );
    return rows[0]?.count ?? 0;
  }

  /**
   * Purges expired rows in the background at most every ten minutes per process. Called on
   * idempotent requests, so services without such routes never touch the table.
   */
  purgeExpiredWhenDue(): void {
    const now = Date.now();
    if (this.purging || now - this.lastPurgeAt < PURGE_INTERVAL_MS) return;
    this.lastPurgeAt = now;
    this.purging = this.purgeExpired()
      .catch((error: unknown) =>
        this.logger.warn({ msg: 'Purging expired keys failed', err: error }),
      )
      .finally(() => (this.purging = undefined));
  }

  /** Lets a running purge finish before the data source closes. */
  async onModuleDestroy(): Promise<void> {
    await this.purging;
  }

  /**
   * Ends this process's owner session once the HTTP server has closed (Nest closes it between
   * the destroy and shutdown hooks): no request of ours is running whose claim it covers.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.owner.stop();
  }

  /** TypeORM's pool for the service's database, opened when the DataSource was initialised. */
  private pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  private async query<T extends QueryResultRow>(
    sql: string,
    params: unknown[],
  ): Promise<QueryResult<T>> {
    try {
      return await this.pool().query<T>(sql, params);
    } catch (error) {
      if (lacksIdempotencyMigrations(error)) {
        throw new Error(
          'Table idempotency_keys is missing or not up to date: add IDEMPOTENCY_MIGRATIONS ' +
            "from @fulfil/service-kit to the service's migrations.",
          { cause: error },
        );
      }
      throw error;
    }
  }
}
