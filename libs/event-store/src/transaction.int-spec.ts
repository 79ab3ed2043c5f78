import { startTestInfrastructure } from '@fulfil/testing';
import { randomUUID } from 'node:crypto';
import { useEventStoreDatabase } from './testing/event-store.fixture';
import { afterCommit, commitWith, transactionLocal, withTransaction } from './transaction';

const db = useEventStoreDatabase(startTestInfrastructure);

/** Whether another connection sees the event `eventId` (committed). */
async function visible(eventId: string): Promise<boolean> {
  const { rows } = await db.pool.query('SELECT 1 FROM events WHERE event_id = $1', [eventId]);
  return rows.length === 1;
}

const insertEvent = (client: { query: (sql: string, values: unknown[]) => Promise<unknown> }) => {
  const eventId = randomUUID();
  const inserted = client.query(
    `INSERT INTO events (stream_id, stream_version, event_id, event_type, data)
     VALUES ($1, 1, $2, 'Tested', '{}')`,
    [`after-commit-${eventId}`, eventId],
  );
  return { eventId, inserted };
};

describe('afterCommit', () => {
  it('runs a callback once after the commit, however often it was registered', async () => {
    const committedWhenCalled: Promise<boolean>[] = [];
    let eventId = '';
    const check = () => void committedWhenCalled.push(visible(eventId));
    await withTransaction(db.pool, async (client) => {
      const insert = insertEvent(client);
      eventId = insert.eventId;
      await insert.inserted;
      afterCommit(client, check);
      afterCommit(client, check);
      expect(committedWhenCalled).toHaveLength(0);
    });
    expect(committedWhenCalled).toHaveLength(1);
    expect(await committedWhenCalled[0]).toBe(true);
  });

  it('does not run it when the transaction rolls back', async () => {
    const calls: string[] = [];
    await expect(
      withTransaction(db.pool, async (client) => {
        await insertEvent(client).inserted;
        afterCommit(client, () => calls.push('called'));
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(calls).toEqual([]);
  });

  it('drops it outside a withTransaction transaction, on that connection and on the next', async () => {
    const calls: string[] = [];
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      afterCommit(client, () => calls.push('called'));
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await withTransaction(db.pool, async (next) => void (await next.query('SELECT 1')));
    expect(calls).toEqual([]);
  });
});

describe('commitWith on a plain pg client', () => {
  const INSERT = `INSERT INTO events (stream_id, stream_version, event_id, event_type, data)
                  VALUES ($1, 1, $2, 'Tested', '{}')`;

  it('runs the last statement and commits; withTransaction sends no second COMMIT', async () => {
    const eventId = randomUUID();
    const notices: string[] = [];
    const calls: string[] = [];
    await withTransaction(db.pool, async (client) => {
      client.on('notice', (notice) => notices.push(notice.message ?? ''));
      afterCommit(client, () => calls.push('after commit'));
      await insertEvent(client).inserted;
      await commitWith(client, INSERT, [`commit-with-${eventId}`, eventId]);
      expect(await visible(eventId)).toBe(true); // committed before the work returned
    });
    expect(calls).toEqual(['after commit']);
    expect(notices).toEqual([]); // no "there is no transaction in progress"
  });

  it('rolls back what the transaction wrote when the last statement fails', async () => {
    const taken = insertEvent(db.pool);
    await taken.inserted;
    const eventId = randomUUID();
    await expect(
      withTransaction(db.pool, async (client) => {
        await client.query(INSERT, [`commit-with-${eventId}`, eventId]);
        // The event id is taken: unique violation.
        await commitWith(client, INSERT, [`commit-with-${randomUUID()}`, taken.eventId]);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await visible(eventId)).toBe(false);
  });

  it('outside withTransaction just runs the statement, which commits itself', async () => {
    const eventId = randomUUID();
    const client = await db.pool.connect();
    try {
      await commitWith(client, INSERT, [`commit-with-${eventId}`, eventId]);
      expect(await visible(eventId)).toBe(true);
    } finally {
      client.release();
    }
  });
});

describe('transactionLocal', () => {
  const KEY = Symbol('test value');

  it('keeps one value per withTransaction transaction, made on first use', async () => {
    const seen: (string[] | undefined)[] = [];
    for (const label of ['first', 'second']) {
      await withTransaction(db.pool, async (client) => {
        transactionLocal(client, KEY, () => [] as string[])!.push(label);
        seen.push(transactionLocal(client, KEY, () => ['made again']));
      });
    }
    expect(seen).toEqual([['first'], ['second']]);
  });

  it('has none on a connection outside withTransaction', async () => {
    const client = await db.pool.connect();
    try {
      expect(transactionLocal(client, KEY, () => 'made')).toBeUndefined();
    } finally {
      client.release();
    }
  });
});
