import { withTransaction } from '@fulfil/event-store';
import {
  past,
  remainingDeadlines,
  useDeadlinesDatabase,
  waitFor,
} from '../testing/messaging-test-kit';
import { DeadlineScheduler } from './deadline-scheduler';

const db = useDeadlinesDatabase(
  'fired',
  'CREATE TABLE fired (deadline_id text NOT NULL, payload jsonb NOT NULL)',
);
const firedRows = async () =>
  (
    await db.pool.query<{ deadline_id: string }>('SELECT deadline_id FROM fired ORDER BY 1')
  ).rows.map((r) => r.deadline_id);
const remaining = () => remainingDeadlines(db.pool);

/** A scheduler whose `expire` handler records the deadline in `fired` in its transaction. */
function recordingScheduler(): DeadlineScheduler {
  return new DeadlineScheduler({ pool: db.pool, pollIntervalMs: 20 }).on<{ n: number }>(
    'expire',
    async (payload, client, deadline) => {
      await client.query('INSERT INTO fired VALUES ($1, $2)', [deadline.id, payload]);
    },
  );
}

describe('DeadlineScheduler', () => {
  it('fires due deadlines once, leaves future ones, and forgets cancelled ones', async () => {
    const scheduler = recordingScheduler();
    await withTransaction(db.pool, async (client) => {
      await scheduler.schedule(client, {
        id: 'due',
        kind: 'expire',
        dueAt: past(),
        payload: { n: 1 },
      });
      await scheduler.schedule(client, {
        id: 'later',
        kind: 'expire',
        dueAt: new Date(Date.now() + 3_600_000),
        payload: { n: 2 },
      });
      await scheduler.schedule(client, {
        id: 'gone',
        kind: 'expire',
        dueAt: past(),
        payload: { n: 3 },
      });
      await scheduler.cancel(client, 'gone');
    });
    expect(await scheduler.fireDue()).toBe(1);
    expect(await scheduler.fireDue()).toBe(0);
    expect(await firedRows()).toEqual(['due']);
    expect((await remaining()).map((r) => r.deadline_id)).toEqual(['later']);
  });

  it('schedules nothing when the caller’s transaction rolls back', async () => {
    const scheduler = recordingScheduler();
    await expect(
      withTransaction(db.pool, async (client) => {
        await scheduler.schedule(client, { id: 'x', kind: 'expire', dueAt: past(), payload: {} });
        throw new Error('command failed');
      }),
    ).rejects.toThrow('command failed');
    expect(await remaining()).toEqual([]);
  });

  it('rescheduling an id moves it instead of adding a second deadline', async () => {
    const scheduler = recordingScheduler();
    await scheduler.schedule(db.pool, {
      id: 'r',
      kind: 'expire',
      dueAt: past(),
      payload: { n: 1 },
    });
    const later = new Date(Date.now() + 60_000);
    await scheduler.schedule(db.pool, { id: 'r', kind: 'expire', dueAt: later, payload: { n: 2 } });
    expect(await scheduler.fireDue()).toBe(0);
    const { rows } = await db.pool.query('SELECT due_at, payload FROM deadlines');
    expect(rows).toEqual([{ due_at: later, payload: { n: 2 } }]);
  });

  it('fires a deadline due at once as soon as its transaction commits, not at the next poll', async () => {
    // Polls an hour apart: past its first poll, only the commit's wake-up can fire in time.
    const scheduler = new DeadlineScheduler({ pool: db.pool, pollIntervalMs: 3_600_000 }).on(
      'expire',
      async (_payload, client, deadline) => {
        await client.query('INSERT INTO fired VALUES ($1, $2)', [deadline.id, {}]);
      },
    );
    await scheduler.schedule(db.pool, { id: 'first', kind: 'expire', dueAt: past(), payload: {} });
    scheduler.start();
    try {
      await waitFor(async () => (await firedRows()).includes('first'), 'the first poll');
      await withTransaction(db.pool, (client) =>
        scheduler.schedule(client, { id: 'woken', kind: 'expire', dueAt: new Date(), payload: {} }),
      );
      await waitFor(async () => (await firedRows()).includes('woken'), 'the woken deadline');
    } finally {
      await scheduler.stop();
    }
  });

  it('fires each deadline exactly once with several schedulers racing', async () => {
    const schedulers = [recordingScheduler(), recordingScheduler(), recordingScheduler()];
    const ids = Array.from({ length: 60 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      await schedulers[0]!.schedule(db.pool, { id, kind: 'expire', dueAt: past(), payload: {} });
    }
    schedulers.forEach((s) => s.start());
    await waitFor(async () => (await firedRows()).length === ids.length, 'all deadlines fired');
    await Promise.all(schedulers.map((s) => s.stop()));
    expect(await firedRows()).toEqual(ids);
    expect(await remaining()).toEqual([]);
  });

  it('keeps a failing deadline, undoes its writes, and retries it later', async () => {
    let failures = 1;
    const scheduler = new DeadlineScheduler({
      pool: db.pool,
      retryBackoff: { initialMs: 400, maxMs: 400 },
    }).on('flaky', async (_payload, client, deadline) => {
      await client.query('INSERT INTO fired VALUES ($1, $2)', [deadline.id, '{}']);
      if (failures-- > 0) throw new Error('downstream unavailable');
    });
    await scheduler.schedule(db.pool, { id: 'f', kind: 'flaky', dueAt: past(), payload: {} });
    expect(await scheduler.fireDue()).toBe(0);
    expect(await firedRows()).toEqual([]);
    expect(await remaining()).toEqual([
      { deadline_id: 'f', attempts: 1, last_error: 'downstream unavailable' },
    ]);
    // Pushed back by the retry backoff: not due at once.
    expect(await scheduler.fireDue()).toBe(0);
    await waitFor(async () => (await scheduler.fireDue()) === 1, 'the retry');
    expect(await firedRows()).toEqual(['f']);
    expect(await remaining()).toEqual([]);
  });

  it('keeps a deadline of an unknown kind with the reason', async () => {
    const scheduler = recordingScheduler();
    await scheduler.schedule(db.pool, {
      id: 'u',
      kind: 'nobody-handles',
      dueAt: past(),
      payload: {},
    });
    expect(await scheduler.fireDue()).toBe(0);
    expect(await remaining()).toEqual([
      {
        deadline_id: 'u',
        attempts: 1,
        last_error: 'no handler for deadline kind "nobody-handles"',
      },
    ]);
  });
});
