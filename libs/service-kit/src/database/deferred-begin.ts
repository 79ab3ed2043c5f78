import { Query, type Client } from 'pg';

/**
 * The key under which a client offers to send a transaction's BEGIN together with its first
 * statement (event-store's `withTransaction` looks for it). Registered, so that neither library
 * imports the other.
 */
export const DEFERRED_BEGIN = Symbol.for('fulfil.pg.deferred-begin');

/** What a client offers under {@link DEFERRED_BEGIN}. */
export interface DeferredBegin {
  /** BEGIN is due: it goes out with the next statement on this client. */
  defer(): void;
  /**
   * Ends the deferral: true when BEGIN went out and the transaction is still open, false when
   * none ran or `commitWith` ended it.
   */
  settle(): boolean;
  /**
   * Runs the transaction's last statement and commits: COMMIT written with the statement before
   * one Sync, one round trip instead of two. With BEGIN still due (no statement ran yet), the
   * statement runs alone and commits itself. Any statement after it is refused until `settle()`.
   * `synchronousCommit: false` commits without waiting for the WAL flush (`SET LOCAL
   * synchronous_commit TO off` goes out with COMMIT; a lone statement gets BEGIN too).
   */
  commitWith(
    text: string,
    values: readonly unknown[],
    synchronousCommit?: boolean,
  ): Promise<unknown>;
}

/** pg's Query as this file drives it: the parts of its protocol handling it extends. */
interface QueryInternals {
  _results: unknown;
  prepare(connection: PgConnection): void;
  _getRows(connection: PgConnection, rows: number | undefined): void;
  handleReadyForQuery(connection: PgConnection): void;
}

/** The few methods of pg's connection that write extended-protocol messages. */
interface PgConnection {
  parsedStatements: Record<string, string | undefined>;
  parse(config: { text: string; name: string; types: unknown[] }): void;
  bind(config: { portal: string; statement: string; values: unknown[] }): void;
  execute(config: { portal: string; rows: number }): void;
  sync(): void;
}

type QueryCallback = (error: Error | undefined, result: unknown) => void;
const PgQuery = Query as unknown as new (
  config: unknown,
  values: unknown,
  callback: QueryCallback,
) => QueryInternals;

/**
 * A statement with statements without parameters around it, all written before one Sync: one
 * round trip. PostgreSQL runs them in order and, should one fail, skips the rest up to the Sync;
 * the query fails with that error. The statement's answer is the query's result, the others'
 * are dropped.
 * - `before` BEGIN: BEGIN takes no snapshot, the statement does, so the transaction sees
 *   exactly what it would have.
 * - `after` COMMIT: should the statement fail, COMMIT is skipped and the transaction is left
 *   failed, to be rolled back; should COMMIT fail, the transaction is over.
 */
class Pipelined extends PgQuery {
  constructor(
    config: unknown,
    callback: QueryCallback,
    private readonly before: readonly string[],
    private readonly after: readonly string[],
  ) {
    super(config, undefined, callback);
  }

  override prepare(connection: PgConnection): void {
    for (const text of this.before) writeUnnamed(connection, text);
    super.prepare(connection);
  }

  // pg's last step of an extended query: Execute, then Sync (or Flush for a row-limited read,
  // which these statements are not).
  override _getRows(connection: PgConnection, rows: number | undefined): void {
    if (rows || this.after.length === 0) return super._getRows(connection, rows);
    connection.execute({ portal: '', rows: 0 });
    for (const text of this.after) writeUnnamed(connection, text);
    connection.sync();
  }

  override handleReadyForQuery(connection: PgConnection): void {
    if (Array.isArray(this._results)) this._results = this._results[this.before.length];
    super.handleReadyForQuery(connection);
  }
}

/** What goes out with a transaction's last statement (`commitWith`). */
function commitStatements(synchronousCommit: boolean): string[] {
  return synchronousCommit ? ['COMMIT'] : ['SET LOCAL synchronous_commit TO off', 'COMMIT'];
}

/** Parse, Bind and Execute of a statement without parameters, in the unnamed statement and portal. */
function writeUnnamed(connection: PgConnection, text: string): void {
  connection.parse({ text, name: '', types: [] });
  connection.bind({ portal: '', statement: '', values: [] });
  connection.execute({ portal: '', rows: 0 });
}

/** Runs `query` (a pg Query) on `client` and answers with its result, the promise way. */
function submitted(
  client: Client,
  plainQuery: QueryFunction,
  create: (callback: QueryCallback) => QueryInternals,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    plainQuery.call(
      client,
      create((error, result) => (error ? reject(error) : resolve(result))),
    );
  });
}

type QueryFunction = (this: Client, ...args: unknown[]) => unknown;

/**
 * The deferred BEGIN of one client: `query` (the client's, with the statement named) sends a
 * due BEGIN with a named statement this connection has prepared, called the promise way;
 * before any other statement it sends BEGIN on its own first, as pg runs queued statements in
 * order.
 */
export class ClientBegin implements DeferredBegin {
  /** `committed`: `commitWith` ended the transaction; statements wait for `settle()`. */
  private state: 'idle' | 'due' | 'sent' | 'committed' = 'idle';

  constructor(
    private readonly client: Client,
    private readonly plainQuery: QueryFunction,
    /** The statement as this client runs it (named, when it has parameters). */
    private readonly nameStatement: (text: string, values: readonly unknown[]) => object,
  ) {}

  defer(): void {
    this.state = 'due';
  }

  settle(): boolean {
    if (this.state === 'due' || this.state === 'committed') this.state = 'idle';
    return this.state === 'sent';
  }

  async commitWith(
    text: string,
    values: readonly unknown[],
    synchronousCommit = true,
  ): Promise<unknown> {
    const config = this.nameStatement(text, values);
    if (this.state === 'due' && synchronousCommit) {
      // No statement ran yet: this one alone is the transaction, no BEGIN, no COMMIT.
      this.state = 'committed';
      return this.plainQuery.call(this.client, config);
    }
    if (this.state !== 'sent' && this.state !== 'due') {
      throw new Error('commitWith runs only inside a transaction');
    }
    // Alone but committed asynchronously: it needs a transaction for its SET LOCAL.
    const before = this.state === 'due' ? ['BEGIN'] : [];
    this.state = 'committed';
    try {
      return await submitted(
        this.client,
        this.plainQuery,
        // Extended protocol even without parameters: the simple one would send no COMMIT.
        (callback) =>
          new Pipelined(
            { ...config, queryMode: 'extended' },
            callback,
            before,
            commitStatements(synchronousCommit),
          ),
      );
    } catch (error) {
      this.state = 'sent'; // the failed transaction is still open: it wants its ROLLBACK
      throw error;
    }
  }

  /** Runs `config` (named already) as pg's `query` would, sending a due BEGIN with it. */
  query(config: unknown, rest: unknown[]): unknown {
    if (this.state === 'committed') {
      return Promise.reject(
        new Error('A statement after commitWith: the transaction has committed already'),
      );
    }
    if (this.state !== 'due') return this.plainQuery.call(this.client, config, ...rest);
    this.state = 'sent';
    const named = config as {
      name?: unknown;
      values?: unknown;
      callback?: unknown;
      submit?: unknown;
    };
    const connection = (this.client as unknown as { connection: PgConnection }).connection;
    const together =
      typeof named === 'object' &&
      named !== null &&
      typeof named.name === 'string' &&
      connection.parsedStatements[named.name] !== undefined &&
      typeof named.callback !== 'function' &&
      typeof named.submit !== 'function' &&
      !rest.some((argument) => typeof argument === 'function');
    if (together) {
      return submitted(
        this.client,
        this.plainQuery,
        (callback) =>
          new Pipelined({ ...named, values: named.values ?? rest[0] }, callback, ['BEGIN'], []),
      );
    }
    // A statement not prepared yet (a failed Parse would mark it prepared all the same), a
    // cursor or a callback: BEGIN alone first. Should it fail, the connection ends, so that the
    // statement cannot run outside the transaction.
    (this.plainQuery.call(this.client, 'BEGIN') as Promise<unknown>).catch(() =>
      this.client.end().catch(() => undefined),
    );
    return this.plainQuery.call(this.client, config, ...rest);
  }
}
