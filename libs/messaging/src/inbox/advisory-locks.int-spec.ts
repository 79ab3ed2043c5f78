import { withTransaction } from '@fulfil/event-store';
import { useTestDatabase } from '@fulfil/testing';
import type { PoolClient } from 'pg';
import { takeAdvisoryLocks } from './advisory-locks';

const database = useTestDatabase({ max: 2 });

/** The advisory locks `client`'s backend holds. */
async function heldLocks(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted`,
  );
  return rows[0]!.n;
}

/** The keys of each lock statement `takeAdvisoryLocks` sends while `work` runs. */
async function lockStatements(client: PoolClient, work: () => Promise<void>) {
  const calls = jest.spyOn(client, 'query');
  try {
    await work();
    return calls.mock.calls
      .map(([config]) => config as unknown as { name?: string; values?: unknown[] })
      .filter((config) => config.name === 'advisory-locks.take')
      .map((config) => config.values![0]);
  } finally {
    calls.mockRestore();
  }
}

describe('takeAdvisoryLocks', () => {
  it('takes each key once, sorted, and in withTransaction skips the keys it already took there', async () => {
    await withTransaction(database.pool, async (client) => {
      const sent = await lockStatements(client, async () => {
        await takeAdvisoryLocks(client, ['b', 'a', 'b']);
        await takeAdvisoryLocks(client, ['c', 'a']);
        await takeAdvisoryLocks(client, ['a', 'b', 'c']);
      });
      expect(sent).toEqual([['a', 'b'], ['c']]);
      expect(await heldLocks(client)).toBe(3);
    });
    // The next transaction holds none of them: it takes them again.
    await withTransaction(database.pool, async (client) => {
      expect(await heldLocks(client)).toBe(0);
      expect(await lockStatements(client, () => takeAdvisoryLocks(client, ['a']))).toEqual([['a']]);
      expect(await heldLocks(client)).toBe(1);
    });
  });

  it('outside withTransaction sends every call: it cannot tell when the transaction ends', async () => {
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      const sent = await lockStatements(client, async () => {
        await takeAdvisoryLocks(client, ['a']);
        await takeAdvisoryLocks(client, ['a']);
      });
      await client.query('COMMIT');
      expect(sent).toEqual([['a'], ['a']]);
    } finally {
      client.release();
    }
  });

  it('holds the locks against another transaction until its own ends', async () => {
    let release!: () => void;
    const holding = withTransaction(database.pool, async (client) => {
      await takeAdvisoryLocks(client, ['shared']);
      await new Promise<void>((done) => (release = done));
    });
    await new Promise((done) => setTimeout(done, 50));
    const other = await database.pool.connect();
    try {
      const { rows } = await other.query<{ got: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended('shared', 0)) AS got`,
      );
      expect(rows[0]!.got).toBe(false);
    } finally {
      other.release();
    }
    release();
    await holding;
  });
});
