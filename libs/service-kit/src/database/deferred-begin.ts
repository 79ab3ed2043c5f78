import type { Client } from 'pg';
import {
  markDeferredWriteFailure,
  pipelinable,
  Pipelined,
  prepareValue,
  submitted,
  type PgConnection,
  type Piped,
  type PipedWrite,
  type QueryFunction,
} from './pipelined-query';

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
   * Holds a write (a statement whose answer nobody reads) to go out with the transaction's next
   * statement, or with its COMMIT: a round trip less. PostgreSQL still runs it before that
   * statement, as if sent alone; should it fail, that statement fails with its error (marked, see
   * `DEFERRED_WRITE_FAILED`). False, holding nothing, outside a transaction `defer` began or
   * after `commitWith` ended it: then run the write yourself.
   */
  deferWrite(text: string, values: readonly unknown[]): boolean;
  /**
   * Runs the transaction's last statement and commits: COMMIT written with the statement before
   * one Sync, one round trip instead of two. With BEGIN still due (no statement ran yet), the
   * statement runs alone and commits itself. Any statement after it is refused until `commit()`
   * or `rollback()`. `synchronousCommit: false` commits without waiting for the WAL flush (`SET
   * LOCAL synchronous_commit TO off` goes out with COMMIT; a lone statement gets BEGIN too).
   */
  commitWith(
    text: string,
    values: readonly unknown[],
    synchronousCommit?: boolean,
  ): Promise<unknown>;
  /**
   * Ends the transaction `defer` began: COMMIT, with the writes still held, in one round trip;
   * nothing when no statement ran or `commitWith` committed it. Should it fail, the transaction
   * is still open, for `rollback()`.
   */
  commit(): Promise<void>;
  /** Ends it the other way: drops the writes still held; ROLLBACK if BEGIN went out. */
  rollback(): Promise<void>;
}

/** What goes out with a transaction's last statement (`commitWith`). */
function commitStatements(synchronousCommit: boolean): string[] {
  return synchronousCommit ? ['COMMIT'] : ['SET LOCAL synchronous_commit TO off', 'COMMIT'];
}

/** A statement as pg's `query(config)` takes it, named when the client prepares it. */
interface StatementConfig {
  readonly text: string;
  readonly name?: string;
  readonly values?: unknown;
}

/**
 * The transaction pipeline of one client: `query` (the client's, with the statement named)
 * sends a due BEGIN and the writes held (`deferWrite`) with a named statement this connection
 * has prepared, called the promise way; before any other statement it sends them on their own
 * first, as pg runs queued statements in order.
 */
export class ClientBegin implements DeferredBegin {
  /** `committed`: `commitWith` ended the transaction; statements wait for `commit()`. */
  private state: 'idle' | 'due' | 'sent' | 'committed' = 'idle';
  /** Writes to send with the next statement, in order. */
  private held: PipedWrite[] = [];

  constructor(
    private readonly client: Client,
    private readonly plainQuery: QueryFunction,
    /** The statement as this client runs it (named, when it has parameters). */
    private readonly nameStatement: (text: string, values: readonly unknown[]) => object,
  ) {}

  defer(): void {
    this.state = 'due';
    this.held = [];
  }

  deferWrite(text: string, values: readonly unknown[]): boolean {
    if (this.state !== 'due' && this.state !== 'sent') return false;
    const { name } = this.nameStatement(text, values) as StatementConfig;
    // Converted now, so that a value pg cannot send fails the caller, not a later statement.
    this.held.push({ text, name, values: values.map((value) => prepareValue(value)) });
    return true;
  }

  async commitWith(
    text: string,
    values: readonly unknown[],
    synchronousCommit = true,
  ): Promise<unknown> {
    const config = this.nameStatement(text, values) as StatementConfig;
    if (this.state !== 'sent' && this.state !== 'due') {
      throw new Error('commitWith runs only inside a transaction');
    }
    const held = this.take();
    if (held.length > 0 && !this.canPipeline(config, held)) {
      return this.sendFirst(held, () => this.commitWith(text, values, synchronousCommit));
    }
    if (this.state === 'due' && synchronousCommit && held.length === 0) {
      // No statement ran yet: this one alone is the transaction, no BEGIN, no COMMIT.
      this.state = 'committed';
      return this.plainQuery.call(this.client, config);
    }
    // Alone but committed asynchronously: it needs a transaction for its SET LOCAL.
    const before = [...this.beginIfDue(), ...held];
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

  async commit(): Promise<void> {
    // The last held write is the transaction's last statement: `commitWith` sends the others
    // before it and COMMIT after it (or, alone and BEGIN still due, runs it by itself).
    const last = this.held.pop();
    if (last) await this.commitWith(last.text, last.values);
    const state = this.state;
    this.state = 'idle';
    if (state !== 'sent') return;
    try {
      await this.plainQuery.call(this.client, 'COMMIT');
    } catch (error) {
      this.state = 'sent'; // rollback() ends it
      throw error;
    }
  }

  async rollback(): Promise<void> {
    this.held = [];
    const state = this.state;
    this.state = 'idle';
    if (state === 'sent') await this.plainQuery.call(this.client, 'ROLLBACK');
  }

  /** Runs `config` (named already) as pg's `query` would, sending a due BEGIN and held writes with it. */
  query(config: unknown, rest: unknown[]): unknown {
    if (this.state === 'committed') {
      return Promise.reject(
        new Error('A statement after commitWith: the transaction has committed already'),
      );
    }
    if (this.state !== 'due' && this.held.length === 0) {
      return this.plainQuery.call(this.client, config, ...rest);
    }
    const named = config as StatementConfig & { callback?: unknown; submit?: unknown };
    // Answered with a promise: a text, or a config that is neither a cursor nor called back.
    const promised =
      (typeof named === 'string' ||
        (typeof named === 'object' &&
          named !== null &&
          typeof named.callback !== 'function' &&
          typeof named.submit !== 'function')) &&
      !rest.some((argument) => typeof argument === 'function');
    const held = this.take();
    if (promised && this.canPipeline(named, held)) {
      const before = [...this.beginIfDue(), ...held];
      this.state = 'sent';
      return submitted(
        this.client,
        this.plainQuery,
        (callback) =>
          new Pipelined({ ...named, values: named.values ?? rest[0] }, callback, before, []),
      );
    }
    if (held.length > 0) return this.sendFirst(held, () => this.query(config, rest), promised);
    // A statement not prepared yet (a failed Parse would mark it prepared all the same), a
    // cursor or a callback: BEGIN alone first. Should it fail, the connection ends, so that the
    // statement cannot run outside the transaction.
    this.state = 'sent';
    (this.plainQuery.call(this.client, 'BEGIN') as Promise<unknown>).catch(() =>
      this.client.end().catch(() => undefined),
    );
    return this.plainQuery.call(this.client, config, ...rest);
  }

  private get connection(): PgConnection {
    return (this.client as unknown as { connection: PgConnection }).connection;
  }

  /** The held writes, no longer held. */
  private take(): PipedWrite[] {
    const held = this.held;
    this.held = [];
    return held;
  }

  /** BEGIN, when due: it goes out now. */
  private beginIfDue(): Piped[] {
    return this.state === 'due' ? ['BEGIN'] : [];
  }

  /**
   * Whether `config` can carry BEGIN and `held` in one pipeline: a named statement prepared on
   * this connection (pg marks it prepared on the pipeline's first ParseComplete), and held
   * writes that need no Parse of their own name.
   */
  private canPipeline(config: StatementConfig, held: readonly PipedWrite[]): boolean {
    const connection = this.connection;
    return (
      typeof config.name === 'string' &&
      connection.parsedStatements[config.name] !== undefined &&
      held.every((write) => pipelinable(connection, write))
    );
  }

  /**
   * Sends `held` as statements of their own (a due BEGIN with the first), then what `next` sends;
   * a write that fails is the answer (marked as a write's), and `next` is not sent. Each named
   * write is prepared on this connection by then, ready to be piped next time. `next` called
   * the callback way (or a cursor) goes out queued after the writes, as pg still allows.
   */
  private sendFirst(held: readonly PipedWrite[], next: () => unknown, promised = true): unknown {
    const send = (write: PipedWrite) =>
      (this.query(write, []) as Promise<unknown>).catch((error: unknown) =>
        Promise.reject(markDeferredWriteFailure(error)),
      );
    if (!promised) {
      for (const write of held) send(write).catch(() => undefined); // `next` fails after it
      return next();
    }
    return held
      .reduce<Promise<unknown>>((sent, write) => sent.then(() => send(write)), Promise.resolve())
      .then(next);
  }
}
