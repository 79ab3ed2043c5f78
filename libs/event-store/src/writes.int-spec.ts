import { startTestInfrastructure } from '@fulfil/testing';
import { useEventStoreDatabase, recordStatements } from './testing/event-store.fixture';
import { withTransaction } from './transaction';
import { runWrites, type Write } from './writes';

const db = useEventStoreDatabase(startTestInfrastructure);

beforeAll(async () => {
  await db.pool.query('CREATE TABLE written (id text PRIMARY KEY, n int NOT NULL, note text)');
});
beforeEach(async () => {
  await db.pool.query('TRUNCATE written');
});

const insert = (id: string, n: number, note: string | null = null): Write => ({
  text: 'INSERT INTO written (id, n, note) VALUES ($1, $2, $3)',
  values: [id, n, note],
});

async function rows() {
  const { rows } = await db.pool.query('SELECT id, n, note FROM written ORDER BY id');
  return rows as { id: string; n: number; note: string | null }[];
}

describe('runWrites', () => {
  it('sends several writes as one statement, each with its own parameters', async () => {
    await db.pool.query(`INSERT INTO written VALUES ('old', 1, NULL), ('gone', 2, NULL)`);
    // Twelve parameters in all: $1…$12 of the statement, shifted past two-digit numbers too.
    const writes = [
      insert('a', 1, 'first $1 of its own'),
      { text: 'UPDATE written SET n = $2 WHERE id = $1', values: ['old', 10] },
      insert('b', 2),
      { text: 'DELETE FROM written WHERE id = $1', values: ['gone'] },
      insert('c', 3, 'last'),
    ];
    const sent = await withTransaction(db.pool, async (client) => {
      const recorded = recordStatements(client);
      try {
        await runWrites(client, [undefined, ...writes, undefined]);
        return recorded.statements;
      } finally {
        recorded.restore();
      }
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBe(
      'WITH w0 AS (INSERT INTO written (id, n, note) VALUES ($1, $2, $3)),' +
        ' w1 AS (UPDATE written SET n = $5 WHERE id = $4),' +
        ' w2 AS (INSERT INTO written (id, n, note) VALUES ($6, $7, $8)),' +
        ' w3 AS (DELETE FROM written WHERE id = $9),' +
        ' w4 AS (INSERT INTO written (id, n, note) VALUES ($10, $11, $12)) SELECT 1',
    );
    expect(await rows()).toEqual([
      { id: 'a', n: 1, note: 'first $1 of its own' },
      { id: 'b', n: 2, note: null },
      { id: 'c', n: 3, note: 'last' },
      { id: 'old', n: 10, note: null },
    ]);
  });

  it('sends a single write as it is, and nothing at all for none', async () => {
    const sent = await withTransaction(db.pool, async (client) => {
      const recorded = recordStatements(client);
      try {
        await runWrites(client, [undefined]);
        await runWrites(client, [insert('only', 1)]);
        return recorded.statements;
      } finally {
        recorded.restore();
      }
    });
    expect(sent).toEqual([insert('only', 1).text]);
    expect(await rows()).toEqual([{ id: 'only', n: 1, note: null }]);
  });

  it('fails as one: a failing write leaves none of the others', async () => {
    await db.pool.query(`INSERT INTO written VALUES ('taken', 1, NULL)`);
    await expect(
      withTransaction(db.pool, (client) =>
        runWrites(client, [insert('new', 1), insert('taken', 2)]),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(await rows()).toEqual([{ id: 'taken', n: 1, note: null }]);
  });

  it("runs the writes' commit hints once the transaction committed, never after a rollback", async () => {
    const hints: string[] = [];
    const hinted = (id: string): Write => ({ ...insert(id, 1), onCommit: () => hints.push(id) });
    await withTransaction(db.pool, async (client) => {
      await runWrites(client, [hinted('x'), hinted('y')]);
      expect(hints).toEqual([]);
    });
    expect(hints).toEqual(['x', 'y']);
    await expect(
      withTransaction(db.pool, async (client) => {
        await runWrites(client, [hinted('z')]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(hints).toEqual(['x', 'y']);
  });

  it('refuses a write whose commit callback must run outside a transaction, sending nothing', async () => {
    const required: Write = {
      ...insert('lost', 1),
      onCommit: () => undefined,
      onCommitRequired: true,
    };
    await expect(runWrites(db.pool, [insert('other', 2), required])).rejects.toThrow(
      /inside withTransaction/,
    );
    expect(await rows()).toEqual([]);
    await withTransaction(db.pool, (client) => runWrites(client, [required]));
    expect(await rows()).toEqual([{ id: 'lost', n: 1, note: null }]);
  });
});
