// Asynchronous commits (also a leased deadline's completion), the WAL flush barrier and the
// session that vouches for it (FlushSession), on a durable PostgreSQL of this file's own:
// the shared test server runs without fsync, where every commit is asynchronous and no flush is
// counted. Flushes are counted by the backend's own I/O statistics (PostgreSQL 18+).
import { randomUUID } from 'node:crypto';
import { commitWith, withTransaction } from '@fulfil/event-store';
import { PreparedStatementClient } from '@fulfil/service-kit';
import {
  runMigration,
  slowWalWriter,
  startDurablePostgres,
  untilACrashTakesBack,
  waitFor,
  walFlushesOf,
  type DurablePostgres,
} from '@fulfil/testing';
import { Pool, type PoolClient } from 'pg';
import { CREATE_MESSAGING_SQL } from '../create-messaging.migration';
import { CreateDeadlines1732500000000 } from '../deadlines/create-deadlines.migration';
import { DeadlineScheduler } from '../deadlines/deadline-scheduler';
import { OUTBOX_RELAY_ORDER_KEY_SQL } from '../outbox-relay-order-key.migration';
import { readOutboxPage, START_OF_OUTBOX } from '../outbox/outbox-store';
import { FlushSession } from './flush-session';
import { canFlushWal, flushWal, UNFLUSHED_WAL } from './wal-flush';

jest.setTimeout(120_000);

let server: DurablePostgres;
/** One connection: the backend whose flushes are counted is the one that committed. */
let pool: Pool;

const connect = () =>
  new Pool({ connectionString: server.url, max: 1, Client: PreparedStatementClient });

beforeAll(async () => {
  server = await startDurablePostgres();
  pool = connect();
  for (const statement of [...CREATE_MESSAGING_SQL, ...OUTBOX_RELAY_ORDER_KEY_SQL]) {
    await pool.query(statement);
  }
  await slowWalWriter(pool);
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

/** The flushes `work` made on the one connection of `on`. */
const flushesOf = (work: () => Promise<unknown>, on = pool) => walFlushesOf(work, on);

const OUTBOX_INSERT = `INSERT INTO outbox (message_id, topic, key, headers, value)
                       VALUES ($1, 'wal-flush.events', 'k', '{}', 'v')`;

/** An outbox row committed as the inbox commits, with the row as the last statement. */
async function commitRow(
  options: { synchronousCommit?: boolean; alone?: boolean } = {},
  on = pool,
) {
  const messageId = randomUUID();
  await withTransaction(on, async (client) => {
    if (!options.alone) await client.query('SELECT pg_current_xact_id()');
    await commitWith(client, OUTBOX_INSERT, [messageId], options);
  });
  return messageId;
}

/**
 * Stops PostgreSQL at once (no checkpoint, no WAL written that was not written already), starts
 * it again on the same data and reconnects `pool`.
 */
async function crashAndRestart(): Promise<void> {
  await pool.end();
  await server.crash();
  await server.restart();
  pool = connect();
}

async function storedIds(): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>('SELECT message_id::text AS id FROM outbox');
  return rows.map((row) => row.id);
}

it('runs on a server that can flush on demand', async () => {
  expect(await canFlushWal(pool)).toBe(true);
});

describe('commitWith({ synchronousCommit: false })', () => {
  it('commits without waiting for the flush, in a transaction or alone; by default it waits', async () => {
    await commitRow(); // prepares the statement on the connection
    expect(await flushesOf(() => commitRow())).toBe(1);
    expect(await flushesOf(() => commitRow({ synchronousCommit: false }))).toBe(0);
    expect(await flushesOf(() => commitRow({ synchronousCommit: false, alone: true }))).toBe(0);
  });

  it('does so on a plain pg client too (SET LOCAL and COMMIT as statements of their own)', async () => {
    const plain = new Pool({ connectionString: server.url, max: 1 });
    try {
      expect(await flushesOf(() => commitRow({}, plain), plain)).toBe(1);
      expect(await flushesOf(() => commitRow({ synchronousCommit: false }, plain), plain)).toBe(0);
    } finally {
      await plain.end();
    }
  });
});

describe("a leased deadline's completion", () => {
  it('records the answer without waiting for the flush, where a durable commit waits for one', async () => {
    await runMigration(pool, new CreateDeadlines1732500000000(), 'up');
    await pool.query('CREATE TABLE answered (deadline_id text NOT NULL)');
    const answer = (client: PoolClient, id: string) =>
      client.query('INSERT INTO answered VALUES ($1)', [id]);
    let completion: number | undefined;
    const scheduler = new DeadlineScheduler({ pool }).onLeased(
      'register',
      async (_payload, complete, deadline) => {
        // No connection is held meanwhile: the one of the pool counts the completion alone.
        completion = await flushesOf(() =>
          complete((client) => answer(client, deadline.id).then(() => undefined)),
        );
      },
    );
    await scheduler.schedule(pool, {
      id: 'leased',
      kind: 'register',
      dueAt: new Date(0),
      payload: {},
    });
    expect(await scheduler.fireDue()).toBe(1);
    expect(completion).toBe(0);
    expect(
      await flushesOf(() => withTransaction(pool, (client) => answer(client, 'durable'))),
    ).toBe(1);
  });
});

describe('flushWal', () => {
  it('flushes what asynchronous commits left, and nothing when all is flushed', async () => {
    await commitRow({ synchronousCommit: false });
    expect(await flushesOf(() => flushWal(pool))).toBe(1);
    expect(await flushesOf(() => flushWal(pool))).toBe(0);
  });
});

describe('readOutboxPage({ flushWal: true })', () => {
  it('flushes before answering with rows; an empty page or a flushed WAL costs no flush', async () => {
    await pool.query('TRUNCATE outbox');
    const read = (flush: boolean) =>
      readOutboxPage(pool as unknown as PoolClient, START_OF_OUTBOX, 100, { flushWal: flush });
    expect(await flushesOf(() => read(true))).toBe(0); // empty
    const id = await commitRow({ synchronousCommit: false });
    expect(await flushesOf(() => read(false))).toBe(0); // the plain page does not flush
    let page: Awaited<ReturnType<typeof read>> = [];
    expect(await flushesOf(async () => (page = await read(true)))).toBe(1);
    expect(page.map((row) => row.messageId)).toEqual([id]);
    expect(await flushesOf(() => read(true))).toBe(0); // flushed already
  });
});

describe('a PostgreSQL crash after asynchronous commits', () => {
  it('keeps every row a flushed page returned, and loses the unflushed commits after it', async () => {
    await untilACrashTakesBack(async () => {
      await pool.query('TRUNCATE outbox');
      const published: string[] = [];
      for (let i = 0; i < 5; i += 1) published.push(await commitRow({ synchronousCommit: false }));
      const page = await readOutboxPage(pool as unknown as PoolClient, START_OF_OUTBOX, 100, {
        flushWal: true,
      });
      expect(page.map((row) => row.messageId)).toEqual(published);
      const unpublished: string[] = [];
      for (let i = 0; i < 5; i += 1)
        unpublished.push(await commitRow({ synchronousCommit: false }));
      expect(await storedIds()).toEqual(expect.arrayContaining(unpublished)); // visible before

      await crashAndRestart();

      const survivors = await storedIds();
      expect(survivors).toEqual(expect.arrayContaining(published));
      // Without the flush the crash takes commits back, which is why the relay flushes first.
      return !survivors.some((id) => unpublished.includes(id));
    });
  });
});

/** Whether WAL was written that is not on disk yet. */
async function unflushedWal(): Promise<boolean> {
  const { rows } = await pool.query<{ unflushed: boolean }>(`SELECT ${UNFLUSHED_WAL} AS unflushed`);
  return rows[0]!.unflushed;
}

describe('FlushSession', () => {
  /** The session's own pool: `pool`'s one connection stays free for the commits. */
  let sessions: Pool;
  beforeEach(() => {
    sessions = new Pool({
      connectionString: server.url,
      max: 1,
      application_name: 'flush-session',
    });
  });
  afterEach(() => sessions.end());

  it('vouches for the commits since it opened while it lives, and no more once it ended', async () => {
    const session = await FlushSession.open(sessions);
    try {
      await commitRow({ synchronousCommit: false });
      expect(await unflushedWal()).toBe(true);
      expect(await session.flush()).toBe(true);
      expect(await unflushedWal()).toBe(false);

      await pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flush-session'`,
      );
      // The server's goodbye may fail a flush in flight before the connection's end is seen.
      await waitFor(
        () =>
          session.flush().then(
            (vouched) => !vouched,
            () => false,
          ),
        'the session lost',
      );
      expect(await session.flush()).toBe(false); // and stays lost, whatever it could flush
    } finally {
      session.close();
    }
  });

  it('knows a crash took back what it did not flush, where a flush on the restarted server succeeds', async () => {
    await untilACrashTakesBack(async () => {
      const session = await FlushSession.open(sessions);
      try {
        const flushed = await commitRow({ synchronousCommit: false });
        expect(await session.flush()).toBe(true);
        const unflushed = await commitRow({ synchronousCommit: false });

        await crashAndRestart();

        const survivors = await storedIds();
        expect(survivors).toContain(flushed);
        await flushWal(pool); // no error: the new server has nothing of a lost commit to flush
        expect(await session.flush()).toBe(false);
        return !survivors.includes(unflushed); // taken back, and the session told
      } finally {
        session.close();
      }
    });
  });
});
