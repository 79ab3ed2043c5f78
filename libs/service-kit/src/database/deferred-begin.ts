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
  /** Ends the deferral: true when BEGIN went out (a transaction is open), false when none ran. */
  settle(): boolean;
}

/** pg's Query as this file drives it: the parts of its protocol handling it extends. */
interface QueryInternals {
  _results: unknown;
  prepare(connection: PgConnection): void;
  handleReadyForQuery(connection: PgConnection): void;
}

/** The few methods of pg's connection that write extended-protocol messages. */
interface PgConnection {
  parsedStatements: Record<string, string | undefined>;
  parse(config: { text: string; name: string; types: unknown[] }): void;
  bind(config: { portal: string; statement: string; values: unknown[] }): void;
  execute(config: { portal: string; rows: number }): void;
}

type QueryCallback = (error: Error | undefined, result: unknown) => void;
const PgQuery = Query as unknown as new (
  config: unknown,
  values: unknown,
  callback: QueryCallback,
) => QueryInternals;

/**
 * BEGIN and a statement prepared earlier on this connection, written together before one Sync:
 * one round trip instead of two. PostgreSQL runs them in order; the statement's answer is the
 * query's result, BEGIN's is dropped. (BEGIN takes no snapshot: the first statement does, so the
 * transaction sees exactly what it would have.)
 */
class BeginThenQuery extends PgQuery {
  override prepare(connection: PgConnection): void {
    connection.parse({ text: 'BEGIN', name: '', types: [] });
    connection.bind({ portal: '', statement: '', values: [] });
    connection.execute({ portal: '', rows: 0 });
    super.prepare(connection);
  }

  override handleReadyForQuery(connection: PgConnection): void {
    if (Array.isArray(this._results)) this._results = this._results.at(-1);
    super.handleReadyForQuery(connection);
  }
}

type QueryFunction = (this: Client, ...args: unknown[]) => unknown;

/**
 * The deferred BEGIN of one client: `query` (the client's, with the statement named) sends a
 * due BEGIN with a named statement this connection has prepared, called the promise way;
 * before any other statement it sends BEGIN on its own first, as pg runs queued statements in
 * order.
 */
export class ClientBegin implements DeferredBegin {
  private state: 'idle' | 'due' | 'sent' = 'idle';

  constructor(
    private readonly client: Client,
    private readonly plainQuery: QueryFunction,
  ) {}

  defer(): void {
    this.state = 'due';
  }

  settle(): boolean {
    if (this.state === 'due') this.state = 'idle';
    return this.state === 'sent';
  }

  /** Runs `config` (named already) as pg's `query` would, sending a due BEGIN with it. */
  query(config: unknown, rest: unknown[]): unknown {
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
      return new Promise((resolve, reject) => {
        const query = new BeginThenQuery(
          { ...named, values: named.values ?? rest[0] },
          undefined,
          (error, result) => (error ? reject(error) : resolve(result)),
        );
        this.plainQuery.call(this.client, query);
      });
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
