import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { ClientBegin, DEFERRED_BEGIN } from './deferred-begin';

/**
 * How many distinct statement texts one process turns into prepared statements. Beyond it a
 * new text runs unnamed, as pg would run it anyway: SQL built at run time (varying IN lists,
 * ad-hoc tools) then cannot grow every connection's prepared statements without bound.
 */
export const MAX_PREPARED_STATEMENT_TEXTS = 500;

const statementNames = new Map<string, string>();

/**
 * The prepared-statement name of a statement text: `fulfil_` and a hash of the text, the same
 * in every connection and process, so one text is prepared once per connection and two texts
 * never share a name. Undefined once {@link MAX_PREPARED_STATEMENT_TEXTS} texts have names.
 */
export function preparedStatementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED_STATEMENT_TEXTS) {
    name = `fulfil_${createHash('sha1').update(text).digest('hex').slice(0, 32)}`;
    statementNames.set(text, name);
  }
  return name;
}

interface QueryConfigLike {
  readonly text?: unknown;
  readonly name?: unknown;
  readonly values?: unknown;
  readonly submit?: unknown;
}

/** `config` as pg's `query(config, values)` gets it, named when it is a parameterised statement. */
function withStatementName(config: unknown, values: unknown): unknown {
  const hasValues = (candidate: unknown) => Array.isArray(candidate) && candidate.length > 0;
  if (typeof config === 'string') {
    const name = hasValues(values) ? preparedStatementName(config) : undefined;
    return name ? { text: config, name } : config;
  }
  if (typeof config !== 'object' || config === null) return config;
  const query = config as QueryConfigLike;
  // Cursors and streams (submittables) drive the protocol themselves; named queries stay as given.
  if (typeof query.submit === 'function' || query.name !== undefined) return config;
  if (typeof query.text !== 'string' || !(hasValues(query.values) || hasValues(values))) {
    return config;
  }
  const name = preparedStatementName(query.text);
  return name ? { ...query, name } : config;
}

/**
 * A pg client that runs every statement with parameters as a named prepared statement: parsed
 * and planned by PostgreSQL once per connection (a generic plan after a few runs) instead of on
 * every call. For the short statements of an event-sourced service that is about half of the
 * server's time per statement. Statements without parameters (BEGIN, COMMIT, DDL) keep pg's
 * simple protocol, but a deferred BEGIN goes out with the transaction's first statement. Use it as a pool's client: `new Pool({ Client: PreparedStatementClient })`.
 *
 * Behind a connection pooler in transaction mode, prepared statements need pooler support
 * (PgBouncer ≥ 1.21 with `max_prepared_statements`).
 */
export class PreparedStatementClient extends Client {
  /**
   * A transaction's BEGIN sent with its first statement, and its COMMIT with its last when it
   * ends with `commitWith`: a round trip less for each (event-store's `withTransaction` and
   * `commitWith` use it; see `deferred-begin.ts`).
   */
  readonly [DEFERRED_BEGIN] = new ClientBegin(
    this,
    plainQuery,
    (text, values) => withStatementName({ text, values }, undefined) as object,
  );

  constructor(...args: ConstructorParameters<typeof Client>) {
    super(...args);
    // pg emits the error of a dead connection (PostgreSQL crashed or restarted) on the client
    // as well as failing its queries. The pool listens only while the client is idle: checked
    // out — a transaction between statements, a relay's session held between polls — nothing
    // would, and Node would end the process. The error is not lost: every query on the client
    // fails with it or after it, and the pool drops a client that is no longer queryable when
    // it comes back.
    this.on('error', () => undefined);
  }
}

// Assigned, not overridden in the class body: TypeScript cannot re-declare pg's overloads one
// by one, and every overload goes through the same (config, values, callback) arguments.
const plainQuery = Client.prototype.query as (this: Client, ...args: unknown[]) => unknown;
PreparedStatementClient.prototype.query = function query(
  this: PreparedStatementClient,
  config: unknown,
  ...rest: unknown[]
) {
  return this[DEFERRED_BEGIN].query(withStatementName(config, rest[0]), rest);
} as Client['query'];
