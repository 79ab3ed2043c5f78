// withTransaction on service-kit's PreparedStatementClient: BEGIN goes out with the first
// statement, COMMIT with the last, and runWrites' writes with the statement after them (a
// round trip less each), with the same transaction semantics.
import { randomUUID } from 'node:crypto';
import { PreparedStatementClient } from '@fulfil/service-kit';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import { Pool, type PoolClient } from 'pg';
import { CommandHandler, type AfterAppend, type HandlerDecider } from './command-handler';
import { EventStore } from './event-store';
import { migratedPool } from './testing/event-store.fixture';
import { afterCommit, commitWith, isDeferredWriteFailure, withTransaction } from './transaction';
import { runWrites } from './writes';

let infra: TestInfrastructure;
let observer: Pool;
/** One connection, so that a statement prepared by one test is prepared for the next. */
let pool: Pool;

beforeAll(async () => {
  infra = await startTestInfrastructure();
  observer = await migratedPool(infra.postgresUrl, 2);
  pool = new Pool({ connectionString: infra.postgresUrl, max: 1, Client: PreparedStatementClient });
});
afterAll(async () => {
  await pool?.end();
  await observer?.end();
  await infra?.stop();
});

const INSERT = `INSERT INTO events (stream_id, stream_version, event_id, event_type, data)
                VALUES ($1, 1, $2, 'Tested', '{}')`;
const insert = (client: PoolClient, eventId = randomUUID()) =>
  client.query(INSERT, [`deferred-begin-${eventId}`, eventId]).then(() => eventId);
/** The same insert as the transaction's last statement, sent with its COMMIT. */
const insertAndCommit = (client: PoolClient, eventId = randomUUID()) =>
  commitWith(client, INSERT, [`deferred-begin-${eventId}`, eventId]).then(() => eventId);

async function visible(eventId: string): Promise<boolean> {
  const { rows } = await observer.query('SELECT 1 FROM events WHERE event_id = $1', [eventId]);
  return rows.length === 1;
}

/** Runs `work` in a transaction, counting the round trips (ReadyForQuery answers) it took. */
const roundTrips = <T>(work: (client: PoolClient) => Promise<T>) =>
  roundTripsOf(() => withTransaction(pool, work));

/** Runs `run`, counting the round trips of the one connection it takes from the pool. */
async function roundTripsOf<T>(run: () => Promise<T>) {
  let count = 0;
  const tally = () => (count += 1);
  let connection: NodeJS.EventEmitter | undefined;
  pool.once('acquire', (client: PoolClient) => {
    connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
    connection.on('readyForQuery', tally);
  });
  const result = await run().catch((error: Error) => error);
  connection?.off('readyForQuery', tally);
  return { result, roundTrips: count };
}

describe('withTransaction with a deferred BEGIN', () => {
  it('sends BEGIN with a prepared first statement: one round trip less, committed as before', async () => {
    // First use on this connection: BEGIN alone, then the statement is prepared.
    const first = await roundTrips((client) => insert(client));
    expect(first.roundTrips).toBe(3); // BEGIN, INSERT, COMMIT
    const second = await roundTrips((client) => insert(client));
    expect(second.roundTrips).toBe(2); // BEGIN + INSERT, COMMIT
    expect(await visible(first.result as string)).toBe(true);
    expect(await visible(second.result as string)).toBe(true);
  });

  it('runs that first statement inside the transaction: a rollback undoes it', async () => {
    const eventId = randomUUID();
    const { result } = await roundTrips(async (client) => {
      await insert(client, eventId);
      throw new Error('changed my mind');
    });
    expect(result).toEqual(new Error('changed my mind'));
    expect(await visible(eventId)).toBe(false);
  });

  it("answers with the statement's rows and row count, not BEGIN's", async () => {
    const sum = (client: PoolClient) =>
      client.query<{ n: number }>('SELECT $1::int + 1 AS n', [41]);
    await roundTrips(sum); // prepared
    const { result, roundTrips: count } = await roundTrips(sum);
    expect(count).toBe(2);
    expect(result).toMatchObject({ rows: [{ n: 42 }], rowCount: 1, command: 'SELECT' });
  });

  it('rolls back after a failing first statement and leaves the connection usable', async () => {
    const taken = await withTransaction(pool, (client) => insert(client));
    const { result } = await roundTrips((client) => insert(client, taken));
    expect(result).toMatchObject({ code: '23505' }); // unique violation, from the pipelined statement
    const after = await withTransaction(pool, (client) => insert(client));
    expect(await visible(after)).toBe(true);
  });

  it('sends nothing for a transaction that ran no statement, and leaves no BEGIN due', async () => {
    const { roundTrips: count } = await roundTrips(async () => 'nothing to do');
    expect(count).toBe(0);
    const client = await pool.connect();
    try {
      const eventId = await insert(client); // autocommit: visible at once, no transaction open
      expect(await visible(eventId)).toBe(true);
    } finally {
      client.release();
    }
  });
});

describe('commitWith on a client that pipelines COMMIT', () => {
  beforeAll(async () => {
    // A check PostgreSQL makes only at COMMIT: a second row with the same id fails there.
    await observer.query(
      'CREATE TABLE IF NOT EXISTS commit_checks (id int UNIQUE DEFERRABLE INITIALLY DEFERRED)',
    );
  });

  it('sends COMMIT with the last statement: one round trip less, both statements committed', async () => {
    await roundTrips(async (client) => [await insert(client), await insertAndCommit(client)]);
    const { result, roundTrips: count } = await roundTrips(async (client) => [
      await insert(client),
      await insertAndCommit(client),
    ]);
    expect(count).toBe(2); // BEGIN + INSERT, INSERT + COMMIT
    for (const eventId of result as string[]) expect(await visible(eventId)).toBe(true);
  });

  it("answers with the statement's rows and row count, not COMMIT's", async () => {
    const { result } = await roundTrips(async (client) => {
      await insert(client);
      return commitWith<{ n: number }>(client, 'SELECT $1::int + 1 AS n', [41]);
    });
    expect(result).toMatchObject({ rows: [{ n: 42 }], rowCount: 1, command: 'SELECT' });
  });

  it('runs a transaction of that one statement alone: no BEGIN, no COMMIT, one round trip', async () => {
    await roundTrips((client) => insertAndCommit(client)); // prepared
    const { result, roundTrips: count } = await roundTrips((client) => insertAndCommit(client));
    expect(count).toBe(1);
    expect(await visible(result as string)).toBe(true);
  });

  it('commits asynchronously in the same round trip: SET LOCAL goes out with COMMIT', async () => {
    const asynchronously = { synchronousCommit: false };
    const { result, roundTrips: count } = await roundTrips(async (client) => {
      const first = await insert(client);
      const eventId = randomUUID();
      await commitWith(client, INSERT, [`deferred-begin-${eventId}`, eventId], asynchronously);
      return [first, eventId];
    });
    expect(count).toBe(2); // BEGIN + INSERT, INSERT + SET LOCAL + COMMIT
    for (const eventId of result as string[]) expect(await visible(eventId)).toBe(true);
    // Alone it needs a transaction for its SET LOCAL: BEGIN goes out with it, still one trip.
    const alone = await roundTrips((client) => commitWith(client, 'SELECT 1', [], asynchronously));
    expect(alone).toMatchObject({ roundTrips: 1, result: { rows: [{ '?column?': 1 }] } });
    const lone = await roundTrips(async (client) => {
      const eventId = randomUUID();
      await commitWith(client, INSERT, [`deferred-begin-${eventId}`, eventId], asynchronously);
      return eventId;
    });
    expect(lone.roundTrips).toBe(1);
    expect(await visible(lone.result as string)).toBe(true);
  });

  it('rolls back a lone asynchronous statement that fails and leaves the connection usable', async () => {
    const taken = await withTransaction(pool, (client) => insert(client));
    const { result } = await roundTrips((client) =>
      commitWith(client, INSERT, [`deferred-begin-${taken}-again`, taken], {
        synchronousCommit: false,
      }),
    );
    expect(result).toMatchObject({ code: '23505' });
    const after = await withTransaction(pool, (client) => insert(client));
    expect(await visible(after)).toBe(true);
  });

  it('rolls the whole transaction back when the last statement fails', async () => {
    const taken = await withTransaction(pool, (client) => insert(client));
    let first = '';
    const { result } = await roundTrips(async (client) => {
      first = await insert(client);
      return insertAndCommit(client, taken);
    });
    expect(result).toMatchObject({ code: '23505' });
    expect(await visible(first)).toBe(false);
    const after = await withTransaction(pool, (client) => insert(client)); // connection usable
    expect(await visible(after)).toBe(true);
  });

  it('fails with the error of a COMMIT that fails, and commits nothing', async () => {
    const id = Math.floor(Math.random() * 1e9);
    let eventId = '';
    const { result } = await roundTrips(async (client) => {
      eventId = await insert(client);
      await client.query('INSERT INTO commit_checks (id) VALUES ($1)', [id]);
      return commitWith(client, 'INSERT INTO commit_checks (id) VALUES ($1)', [id]);
    });
    expect(result).toMatchObject({ code: '23505', constraint: 'commit_checks_id_key' });
    expect(await visible(eventId)).toBe(false);
    const after = await withTransaction(pool, (client) => insert(client));
    expect(await visible(after)).toBe(true);
  });

  it('refuses a statement after it; what it committed stays, and afterCommit callbacks run', async () => {
    const calls: string[] = [];
    let committed = '';
    const { result } = await roundTrips(async (client) => {
      afterCommit(client, () => calls.push('after commit'));
      await insert(client);
      committed = await insertAndCommit(client);
      return insert(client);
    });
    expect(result).toEqual(
      new Error('A statement after commitWith: the transaction has committed already'),
    );
    expect(await visible(committed)).toBe(true);
    expect(calls).toEqual(['after commit']);
    const client = await pool.connect(); // back in the pool, the client runs statements again
    try {
      expect(await visible(await insert(client))).toBe(true);
    } finally {
      client.release();
    }
  });
});

describe("runWrites and a command handler's writes on a client that pipelines COMMIT", () => {
  type Mark = { readonly type: 'Marked'; readonly data: Record<string, never> };
  /** Every command appends one event. */
  const marker: HandlerDecider<Mark, Mark, null> = {
    initialState: () => null,
    decide: (command) => [command],
    evolve: (state) => state,
  };
  const mark: Mark = { type: 'Marked', data: {} };
  /** The event of a second stream, written with the command's events (an outbox row, say). */
  const alongside = (eventId: string) => ({
    text: INSERT,
    values: [`deferred-begin-${eventId}`, eventId],
  });

  it('runWrites with commit: the writes go out with COMMIT, and their commit hints run', async () => {
    const calls: string[] = [];
    const writeAndCommit = async (client: PoolClient) => {
      const eventId = await insert(client);
      const alongsideId = randomUUID();
      const write = { ...alongside(alongsideId), onCommit: () => calls.push(alongsideId) };
      await runWrites(client, [write], { commit: true });
      return [eventId, alongsideId];
    };
    await roundTrips(writeAndCommit); // prepared
    const { result, roundTrips: count } = await roundTrips(writeAndCommit);
    expect(count).toBe(2); // BEGIN + INSERT, the write + COMMIT
    const [eventId, alongsideId] = result as string[];
    expect(await visible(eventId!)).toBe(true);
    expect(await visible(alongsideId!)).toBe(true);
    expect(calls).toContain(alongsideId);
  });

  /** An insert, then a write held for what follows (`runWrites` without commit): both ids. */
  async function insertThenHold(client: PoolClient): Promise<[string, string]> {
    const eventId = await insert(client);
    const heldId = randomUUID();
    await runWrites(client, [alongside(heldId)]);
    return [eventId, heldId];
  }

  it('runWrites without commit holds the writes for the next statement: same round trip, seen by it', async () => {
    const writeThenRead = async (client: PoolClient) => {
      const [eventId, heldId] = await insertThenHold(client);
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM events WHERE event_id = $1',
        [heldId],
      );
      return { eventId, heldId, seen: rows[0]!.n };
    };
    await roundTrips(writeThenRead); // prepared
    const { result, roundTrips: count } = await roundTrips(writeThenRead);
    expect(count).toBe(3); // BEGIN + INSERT, the write + SELECT, COMMIT
    const { eventId, heldId, seen } = result as Awaited<ReturnType<typeof writeThenRead>>;
    expect(seen).toBe(1);
    expect(await visible(eventId)).toBe(true);
    expect(await visible(heldId)).toBe(true);
  });

  it('sends the writes still held with COMMIT, and a transaction of one held write as that statement alone', async () => {
    await roundTrips(insertThenHold); // prepared
    const last = await roundTrips(insertThenHold);
    expect(last.roundTrips).toBe(2); // BEGIN + INSERT, the write + COMMIT
    for (const eventId of last.result as string[]) expect(await visible(eventId)).toBe(true);
    const heldId = randomUUID();
    const alone = await roundTrips((client) => runWrites(client, [alongside(heldId)]));
    expect(alone.roundTrips).toBe(1); // the write alone: a transaction of one statement
    expect(await visible(heldId)).toBe(true);
  });

  it("sends the writes held with commitWith's statement and its COMMIT", async () => {
    const writeThenCommit = async (client: PoolClient) => [
      ...(await insertThenHold(client)),
      await insertAndCommit(client),
    ];
    await roundTrips(writeThenCommit); // prepared
    const { result, roundTrips: count } = await roundTrips(writeThenCommit);
    expect(count).toBe(2); // BEGIN + INSERT, the write + INSERT + COMMIT
    for (const eventId of result as string[]) expect(await visible(eventId)).toBe(true);
  });

  it("fails the next statement with a held write's error, marked as the write's, and rolls back", async () => {
    const taken = await withTransaction(pool, (client) => insert(client));
    let first = '';
    const { result } = await roundTrips(async (client) => {
      first = await insert(client);
      await runWrites(client, [alongside(taken)]); // its event id is taken: it will fail
      return insert(client);
    });
    expect(result).toMatchObject({ code: '23505', constraint: 'events_event_id_key' });
    expect(isDeferredWriteFailure(result)).toBe(true);
    expect(await visible(first)).toBe(false);
    const after = await withTransaction(pool, (client) => insert(client)); // connection usable
    expect(await visible(after)).toBe(true);
  });

  it("fails a statement without parameters after it with the held write's error too", async () => {
    const taken = await withTransaction(pool, (client) => insert(client));
    const { result } = await roundTrips(async (client) => {
      await insert(client);
      await runWrites(client, [alongside(taken)]);
      return client.query('SELECT 1');
    });
    expect(result).toMatchObject({ code: '23505', constraint: 'events_event_id_key' });
    expect(isDeferredWriteFailure(result)).toBe(true);
  });

  it('drops the writes held when the work throws: never sent', async () => {
    const { result, roundTrips: count } = await roundTrips(async (client) => {
      await insert(client);
      await runWrites(client, [{ text: 'SELECT 1 / $1::int', values: [0] }]);
      throw new Error('changed my mind');
    });
    expect(result).toEqual(new Error('changed my mind')); // not division by zero
    expect(count).toBe(2); // BEGIN + INSERT, ROLLBACK
  });

  it('sends a held write its connection has not prepared on its own first, and pipes it after', async () => {
    const text = `${INSERT} -- ${randomUUID()}`; // a statement this connection never saw
    const writeBetween = async (client: PoolClient) => {
      await insert(client);
      const heldId = randomUUID();
      await runWrites(client, [{ text, values: [`deferred-begin-${heldId}`, heldId] }]);
      await insert(client);
      return heldId;
    };
    const first = await roundTrips(writeBetween);
    expect(first.roundTrips).toBe(4); // BEGIN + INSERT, the write (prepared), INSERT, COMMIT
    const second = await roundTrips(writeBetween);
    expect(second.roundTrips).toBe(3); // BEGIN + INSERT, the write + INSERT, COMMIT
    expect(await visible(first.result as string)).toBe(true);
    expect(await visible(second.result as string)).toBe(true);
  });

  it('runWrites with commit and nothing to write leaves the transaction to commit', async () => {
    const { result } = await roundTrips(async (client) => {
      await runWrites(client, [undefined], { commit: true });
      return insert(client); // still in the transaction, which withTransaction commits
    });
    expect(await visible(result as string)).toBe(true);
  });

  it("lets afterAppend commit the handler's own transaction: one round trip less", async () => {
    const handler = new CommandHandler(new EventStore(pool));
    const told: AfterAppend[] = [];
    let alongsideId = '';
    const handle = (streamId: string) =>
      handler.handle(streamId, mark, {
        decider: marker,
        known: { state: null, version: 0 },
        afterAppend: async (client, _recorded, how) => {
          told.push(how);
          alongsideId = randomUUID();
          await runWrites(client, [alongside(alongsideId)], { commit: how.mayCommit });
        },
      });
    await roundTripsOf(() => handle(`marked-${randomUUID()}`)); // prepared
    const streamId = `marked-${randomUUID()}`;
    const { roundTrips: count } = await roundTripsOf(() => handle(streamId));
    expect(count).toBe(2); // BEGIN + append, the writes + COMMIT
    expect(told).toEqual([{ mayCommit: true }, { mayCommit: true }]);
    const { rows } = await observer.query('SELECT 1 FROM events WHERE stream_id = $1', [streamId]);
    expect(rows).toHaveLength(1);
    expect(await visible(alongsideId)).toBe(true);
  });

  it("does not let afterAppend end a caller's transaction", async () => {
    const handler = new CommandHandler(new EventStore(pool));
    const told: AfterAppend[] = [];
    const { result } = await roundTrips(async (client) => {
      await handler.handle(`marked-${randomUUID()}`, mark, {
        decider: marker,
        client,
        afterAppend: async (_client, _recorded, how) => void told.push(how),
      });
      return insert(client); // the caller's own statement, after the handler's
    });
    expect(told).toEqual([{ mayCommit: false }]);
    expect(await visible(result as string)).toBe(true);
  });
});
