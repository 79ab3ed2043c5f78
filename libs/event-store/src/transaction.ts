import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';

/** What lives exactly as long as one transaction `withTransaction` runs on a client. */
interface TransactionScope {
  /** Callbacks waiting for its commit (`afterCommit`). */
  readonly onCommit: Set<() => void>;
  /** Values other modules keep for it (`transactionLocal`), by their key. */
  readonly locals: Map<unknown, unknown>;
  /** `commitWith` committed it already. */
  committed: boolean;
}

const scopes = new WeakMap<object, TransactionScope>();

/**
 * A client may offer, under this registered symbol, to send BEGIN with the transaction's first
 * statement, COMMIT with its last, and writes with the statement after them: a round trip less
 * for each (service-kit's PreparedStatementClient does; see its deferred-begin.ts). `defer()`
 * makes BEGIN due; `deferWrite` holds a write; `commitWith` runs a statement and commits;
 * `commit()` and `rollback()` end the transaction.
 */
const DEFERRED_BEGIN = Symbol.for('fulfil.pg.deferred-begin');

interface DeferredBegin {
  defer(): void;
  deferWrite(text: string, values: readonly unknown[]): boolean;
  commitWith(
    text: string,
    values: readonly unknown[],
    synchronousCommit?: boolean,
  ): Promise<unknown>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

function deferredBeginOf(client: object): DeferredBegin | undefined {
  return (client as { [DEFERRED_BEGIN]?: DeferredBegin })[DEFERRED_BEGIN];
}

/**
 * Runs `work` in one transaction (READ COMMITTED) on a pool connection and commits, or rolls
 * back when it throws. A connection whose rollback failed is discarded, not reused. After the
 * commit it runs what `afterCommit` registered on the connection meanwhile. On a client that
 * offers it, BEGIN goes out with `work`'s first statement (and a `work` that ran none opened no
 * transaction to end), and COMMIT with the writes `runWrites` still holds.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  const scope: TransactionScope = { onCommit: new Set(), locals: new Map(), committed: false };
  let broken: Error | undefined;
  let result: T;
  scopes.set(client, scope);
  const deferred = deferredBeginOf(client);
  try {
    if (deferred) deferred.defer();
    else await client.query('BEGIN');
    result = await work(client);
    if (deferred) await deferred.commit();
    else if (!scope.committed) await client.query('COMMIT');
    scope.committed = true;
  } catch (error) {
    await rollBack(client, deferred, scope).catch(
      (rollbackError: Error) => (broken = rollbackError),
    );
    throw error;
  } finally {
    scopes.delete(client);
    client.release(broken);
    // Also when `work` threw after its `commitWith`: what it wrote stays committed.
    if (scope.committed) for (const callback of scope.onCommit) callback();
  }
  return result;
}

/** Ends a transaction that failed, unless nothing of it is open (none began, or it committed). */
function rollBack(
  client: PoolClient,
  deferred: DeferredBegin | undefined,
  scope: TransactionScope,
): Promise<unknown> {
  if (deferred) return deferred.rollback();
  return scope.committed ? Promise.resolve() : client.query('ROLLBACK');
}

/**
 * Holds `text` (a write whose answer nobody reads) to go out with the next statement of the
 * transaction `withTransaction` runs on `client`, or with its COMMIT: a round trip less. It
 * still runs before that statement, as if sent alone; its error, if any, is that statement's
 * (`isDeferredWriteFailure` tells it apart). False when `client` cannot hold it (no such
 * transaction, committed already, or a client without the offer): run it yourself then.
 */
export function deferWrite(client: object, text: string, values: readonly unknown[]): boolean {
  const scope = scopes.get(client);
  if (!scope || scope.committed) return false;
  return deferredBeginOf(client)?.deferWrite(text, values) ?? false;
}

/** Whether `error` is a deferred write's (`deferWrite`), met by a statement sent after it. */
export function isDeferredWriteFailure(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[DEFERRED_WRITE_FAILED] === true
  );
}

/** Registered key of that mark, which the client sets (service-kit's pipelined-query.ts). */
const DEFERRED_WRITE_FAILED = Symbol.for('fulfil.pg.deferred-write-failed');

/**
 * Runs the last statement of the transaction `withTransaction` runs on `client`, and commits
 * it: on a client that offers it, COMMIT goes out with the statement (one round trip less).
 * Nothing may follow it on `client` in that transaction — PreparedStatementClient refuses a
 * statement after it — and `work` should return next: `withTransaction` sends no COMMIT then.
 * Should the statement (or COMMIT) fail, the transaction is rolled back as usual. Outside such a
 * transaction the statement just runs, committing itself.
 *
 * `synchronousCommit: false` commits without waiting for the WAL flush: the transaction is
 * visible at once but lost if PostgreSQL crashes before the WAL writer (or any later durable
 * commit) flushed it. Only for work whose effects leave the database after a flush barrier
 * (`flushWal` in @fulfil/messaging): the inbox's, whose offsets and outbox rows wait for one.
 */
export async function commitWith<Row extends QueryResultRow>(
  client: Pick<PoolClient, 'query'>,
  text: string,
  values: readonly unknown[],
  { synchronousCommit = true }: { synchronousCommit?: boolean } = {},
): Promise<QueryResult<Row>> {
  const scope = scopes.get(client);
  if (!scope) return client.query<Row>(text, [...values]);
  if (scope.committed) throw new Error('commitWith: this transaction has committed already');
  const deferred = deferredBeginOf(client);
  let result: QueryResult<Row>;
  if (deferred) {
    result = (await deferred.commitWith(text, values, synchronousCommit)) as QueryResult<Row>;
  } else {
    result = await client.query<Row>(text, [...values]);
    if (!synchronousCommit) await client.query('SET LOCAL synchronous_commit TO off');
    await client.query('COMMIT');
  }
  scope.committed = true;
  return result;
}

/**
 * Runs `callback` once the transaction `withTransaction` runs on `client` has committed (once,
 * however often it was registered), never after a rollback. Outside such a transaction it is
 * dropped: use it for hints that save waiting (wake a poller), not for work that must happen.
 * It must not throw: it runs after the commit, before `withTransaction` returns.
 */
export function afterCommit(client: object, callback: () => void): void {
  scopes.get(client)?.onCommit.add(callback);
}

/** Whether `withTransaction` is running a transaction on `client` (so `afterCommit` will run). */
export function inTransaction(client: object): boolean {
  return scopes.has(client);
}

/**
 * The value under `key` of the transaction `withTransaction` runs on `client`, made by `create`
 * on first use; gone when that transaction ends, committed or rolled back. Undefined outside
 * such a transaction. For what a transaction may remember of its own writes (the event store's
 * streams it appended to), never for what must outlive it.
 */
export function transactionLocal<T>(client: object, key: symbol, create: () => T): T | undefined {
  const locals = scopes.get(client)?.locals;
  if (!locals) return undefined;
  if (!locals.has(key)) locals.set(key, create());
  return locals.get(key) as T;
}
