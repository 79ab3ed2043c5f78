import { createRequire } from 'node:module';
import { Query, type Client } from 'pg';

// Several statements written before one Sync, answered as one query: the extended-protocol
// pipelining that a deferred BEGIN, a pipelined COMMIT and deferred writes (deferred-begin.ts)
// are made of. pg runs one statement per Sync; this extends its Query where it writes and reads.

/**
 * A statement with parameters waiting to go out with another one: named when the client
 * prepares it (see prepared-statement-client.ts), its values converted as pg converts them.
 */
export interface PipedWrite {
  readonly text: string;
  readonly name?: string;
  readonly values: readonly unknown[];
}

/** What goes out around the query's own statement: a bare text is a statement without parameters. */
export type Piped = string | PipedWrite;

/** pg's Query as this file drives it: the parts of its protocol handling it extends. */
interface QueryInternals {
  _results: unknown;
  prepare(connection: PgConnection): void;
  _getRows(connection: PgConnection, rows: number | undefined): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: PgConnection): void;
  handleError(error: Error, connection: PgConnection): void;
  handleReadyForQuery(connection: PgConnection): void;
}

/** The few parts of pg's connection that write extended-protocol messages. */
export interface PgConnection {
  parsedStatements: Record<string, string | undefined>;
  parse(config: { text: string; name: string; types: unknown[] }): void;
  bind(config: { portal: string; statement: string; values: readonly unknown[] }): void;
  execute(config: { portal: string; rows: number }): void;
  sync(): void;
}

export type QueryCallback = (error: Error | undefined, result: unknown) => void;
export type QueryFunction = (this: Client, ...args: unknown[]) => unknown;

const PgQuery = Query as unknown as new (
  config: unknown,
  values: unknown,
  callback: QueryCallback,
) => QueryInternals;

/** pg's conversion of a parameter (Date, array, object, Buffer…) to what goes on the wire. */
export const prepareValue = (
  createRequire(__filename)('pg/lib/utils') as { prepareValue(value: unknown): unknown }
).prepareValue;

/**
 * Registered key of the mark on the error of a deferred write that failed on a later statement's
 * round trip (see `failedDeferredWrite` in event-store's writes.ts, which reads it).
 */
export const DEFERRED_WRITE_FAILED = Symbol.for('fulfil.pg.deferred-write-failed');

/** Marks `error` as a deferred write's own, not the statement's it went out with. */
export function markDeferredWriteFailure(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) {
    Object.defineProperty(error, DEFERRED_WRITE_FAILED, { value: true });
  }
  return error;
}

/**
 * A statement with statements around it, all written before one Sync: one round trip.
 * PostgreSQL runs them in order and, should one fail, skips the rest up to the Sync; the query
 * fails with that error (marked when it is a deferred write's). The statement's answer is the
 * query's result; the others' rows and results are dropped.
 * - `before` BEGIN: BEGIN takes no snapshot, the statement does, so the transaction sees
 *   exactly what it would have.
 * - `before` writes: each runs as its own statement, before the next, as if sent alone.
 * - `after` COMMIT: should the statement fail, COMMIT is skipped and the transaction is left
 *   failed, to be rolled back; should COMMIT fail, the transaction is over.
 *
 * Named statements among `before` must be prepared on the connection already (Bind alone), and
 * so must the query's own, if named: pg marks the query's statement prepared on any
 * ParseComplete, so a Parse of another statement must never come before the query's own.
 */
export class Pipelined extends PgQuery {
  /** Statements of `before` that completed; the rest of the answer is the query's own. */
  private completed = 0;

  constructor(
    config: unknown,
    callback: QueryCallback,
    private readonly before: readonly Piped[],
    private readonly after: readonly string[],
  ) {
    super(config, undefined, callback);
  }

  override prepare(connection: PgConnection): void {
    for (const statement of this.before) writePiped(connection, statement);
    super.prepare(connection);
  }

  // pg's last step of an extended query: Execute, then Sync (or Flush for a row-limited read,
  // which these statements are not).
  override _getRows(connection: PgConnection, rows: number | undefined): void {
    if (rows || this.after.length === 0) return super._getRows(connection, rows);
    connection.execute({ portal: '', rows: 0 });
    for (const text of this.after) writePiped(connection, text);
    connection.sync();
  }

  /** A write's rows (a combined write ends in `SELECT 1`) come without a row description. */
  override handleDataRow(message: unknown): void {
    if (this.completed >= this.before.length) super.handleDataRow(message);
  }

  override handleCommandComplete(message: unknown, connection: PgConnection): void {
    this.completed += 1;
    super.handleCommandComplete(message, connection);
  }

  override handleError(error: Error, connection: PgConnection): void {
    const failed = this.before[this.completed];
    if (failed !== undefined && typeof failed !== 'string') markDeferredWriteFailure(error);
    super.handleError(error, connection);
  }

  override handleReadyForQuery(connection: PgConnection): void {
    if (Array.isArray(this._results)) this._results = this._results[this.before.length];
    super.handleReadyForQuery(connection);
  }
}

/** Whether `write` can go in a pipeline on `connection`: unnamed, or prepared there already. */
export function pipelinable(connection: PgConnection, write: PipedWrite): boolean {
  return write.name === undefined || connection.parsedStatements[write.name] !== undefined;
}

/** Bind and Execute of a piped statement (after its Parse, in the unnamed statement, unless named). */
function writePiped(connection: PgConnection, statement: Piped): void {
  const { text, name, values } =
    typeof statement === 'string' ? { text: statement, name: undefined, values: [] } : statement;
  if (name === undefined) connection.parse({ text, name: '', types: [] });
  connection.bind({ portal: '', statement: name ?? '', values });
  connection.execute({ portal: '', rows: 0 });
}

/** Runs `query` (a pg Query) on `client` and answers with its result, the promise way. */
export function submitted(
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
