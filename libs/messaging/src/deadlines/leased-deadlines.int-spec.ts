// Deadlines whose handler calls out (DeadlineScheduler.onLeased): the call runs outside any
// transaction under a lease, and its result is recorded only while the lease holds.
import { withTransaction } from '@fulfil/event-store';
import { Client, type Pool } from 'pg';
import {
  past,
  pendingCall,
  remainingDeadlines,
  useDeadlinesDatabase,
  waitFor,
} from '../testing/messaging-test-kit';
import { DeadlineScheduler } from './deadline-scheduler';
import { DeadlineLeaseLostError } from './deadline.types';

const db = useDeadlinesDatabase(
  'called',
  'CREATE TABLE called (deadline_id text NOT NULL, answer text NOT NULL)',
);
const calledRows = async () =>
  (await db.pool.query<{ deadline_id: string; answer: string }>('SELECT * FROM called ORDER BY 1'))
    .rows;
const remaining = () => remainingDeadlines(db.pool);

async function record(client: { query: Pool['query'] }, id: string, answer: string) {
  await client.query('INSERT INTO called VALUES ($1, $2)', [id, answer]);
}

describe('DeadlineScheduler.onLeased', () => {
  it('calls out with no transaction open and records the answer as it deletes the deadline', async () => {
    const call = pendingCall();
    const scheduler = new DeadlineScheduler({ pool: db.pool }).onLeased<{ n: number }>(
      'register',
      async (payload, complete, deadline) => {
        call.started();
        const answer = await call.answer;
        await complete((client) => record(client, deadline.id, `${answer}:${payload.n}`));
      },
    );
    await scheduler.schedule(db.pool, {
      id: 'r1',
      kind: 'register',
      dueAt: past(),
      payload: { n: 7 },
    });
    const firing = scheduler.fireDue();
    await call.inFlight;
    // Nothing holds a transaction id (which would hold back every outbox relay) or the row.
    const open = await db.pool.query(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()`,
    );
    expect(open.rows).toEqual([]);
    await withTransaction(db.pool, async (client) => {
      const locked = await client.query(
        `SELECT deadline_id FROM deadlines WHERE deadline_id = 'r1' FOR UPDATE NOWAIT`,
      );
      expect(locked.rows).toEqual([{ deadline_id: 'r1' }]);
    });
    // Leased: not due for anyone else meanwhile.
    const other = new DeadlineScheduler({ pool: db.pool }).onLeased('register', async () => {
      throw new Error('must not run while leased');
    });
    expect(await other.fireDue()).toBe(0);
    call.release('ok');
    expect(await firing).toBe(1);
    expect(await calledRows()).toEqual([{ deadline_id: 'r1', answer: 'ok:7' }]);
    expect(await remaining()).toEqual([]);
  });

  it('deletes the deadline when the handler finds nothing to do', async () => {
    const scheduler = new DeadlineScheduler({ pool: db.pool }).onLeased(
      'register',
      async () => undefined,
    );
    await scheduler.schedule(db.pool, { id: 'r2', kind: 'register', dueAt: past(), payload: {} });
    expect(await scheduler.fireDue()).toBe(1);
    expect(await remaining()).toEqual([]);
  });

  it('pushes a failed call back with backoff, and a failing record undoes its writes', async () => {
    let failures = 2;
    const scheduler = new DeadlineScheduler({
      pool: db.pool,
      retryBackoff: { initialMs: 300, maxMs: 300 },
    }).onLeased('capture', async (_payload, complete, deadline) => {
      if (failures === 2) {
        failures -= 1;
        throw new Error('provider unavailable');
      }
      await complete(async (client) => {
        await record(client, deadline.id, 'captured');
        if (failures-- > 0) throw new Error('recording failed');
      });
    });
    await scheduler.schedule(db.pool, { id: 'c1', kind: 'capture', dueAt: past(), payload: {} });
    expect(await scheduler.fireDue()).toBe(0);
    expect(await remaining()).toEqual([
      { deadline_id: 'c1', attempts: 1, last_error: 'provider unavailable' },
    ]);
    expect(await scheduler.fireDue()).toBe(0); // pushed back: not due at once
    await waitFor(async () => {
      await scheduler.fireDue();
      return (await remaining())[0]?.attempts === 2;
    }, 'the second attempt');
    expect(await remaining()).toEqual([
      { deadline_id: 'c1', attempts: 2, last_error: 'recording failed' },
    ]);
    expect(await calledRows()).toEqual([]);
    await waitFor(async () => (await scheduler.fireDue()) === 1, 'the third attempt');
    expect(await calledRows()).toEqual([{ deadline_id: 'c1', answer: 'captured' }]);
    expect(await remaining()).toEqual([]);
  });

  it('refuses a late answer once the lease ran out and another worker took the deadline', async () => {
    const slow = pendingCall();
    const refusals: unknown[] = [];
    const first = new DeadlineScheduler({ pool: db.pool, leaseMs: 300 }).onLeased(
      'refund',
      async (_payload, complete, deadline) => {
        slow.started();
        const answer = await slow.answer;
        await complete((client) => record(client, deadline.id, answer)).catch((error) => {
          refusals.push(error);
          throw error;
        });
      },
    );
    const second = new DeadlineScheduler({ pool: db.pool, leaseMs: 300 }).onLeased(
      'refund',
      async (_payload, complete, deadline) =>
        complete((client) => record(client, deadline.id, 'second')),
    );
    await first.schedule(db.pool, { id: 'f1', kind: 'refund', dueAt: past(), payload: {} });
    const firstFiring = first.fireDue();
    await slow.inFlight;
    await waitFor(async () => (await second.fireDue()) === 1, 'the takeover after the lease');
    slow.release('first, too late');
    expect(await firstFiring).toBe(0);
    expect(refusals).toEqual([expect.any(DeadlineLeaseLostError)]);
    expect(await calledRows()).toEqual([{ deadline_id: 'f1', answer: 'second' }]);
    expect(await remaining()).toEqual([]);
  });

  it('drops the answer of a deadline cancelled while its call was in flight', async () => {
    const call = pendingCall();
    const scheduler = new DeadlineScheduler({ pool: db.pool }).onLeased(
      'expire',
      async (_payload, complete, deadline) => {
        call.started();
        await call.answer;
        await complete((client) => record(client, deadline.id, 'expired'));
      },
    );
    await scheduler.schedule(db.pool, { id: 'e1', kind: 'expire', dueAt: past(), payload: {} });
    const firing = scheduler.fireDue();
    await call.inFlight;
    await scheduler.cancel(db.pool, 'e1');
    call.release('');
    expect(await firing).toBe(0);
    expect(await calledRows()).toEqual([]);
    expect(await remaining()).toEqual([]);
  });

  it('spends no statement on kinds with nothing due, nor on workers with nothing to take', async () => {
    const scheduler = new DeadlineScheduler({ pool: db.pool, concurrency: 4 })
      .onLeased('register', async (_payload, complete, deadline) =>
        complete((client) => record(client, deadline.id, 'leased')),
      )
      .on('webhook', async (_payload, client, deadline) => record(client, deadline.id, 'in-tx'));
    const statements = jest.spyOn(Client.prototype, 'query');
    /** The first two words of each statement run since the last call. */
    const run = () => {
      const texts = statements.mock.calls.map(([config]) =>
        typeof config === 'string' ? config : (config as { text: string }).text,
      );
      statements.mockClear();
      return texts.map((text) => text.trim().split(/\s+/).slice(0, 2).join(' '));
    };
    try {
      await scheduler.schedule(db.pool, { id: 'w', kind: 'webhook', dueAt: past(), payload: {} });
      run();
      expect(await scheduler.fireDue()).toBe(1);
      // One probe, then the one transactional deadline: no lease tried, no idle worker's take.
      expect(run()).toEqual([
        'SELECT count(*)',
        'BEGIN',
        'SELECT deadline_id,',
        'SAVEPOINT deadline_handler',
        'INSERT INTO',
        'DELETE FROM',
        'COMMIT',
      ]);
      await scheduler.schedule(db.pool, { id: 'r', kind: 'register', dueAt: past(), payload: {} });
      run();
      expect(await scheduler.fireDue()).toBe(1);
      // The lease, then the answer's transaction: no transaction for the other kinds.
      expect(run()).toEqual([
        'SELECT count(*)',
        'UPDATE deadlines',
        'BEGIN',
        'INSERT INTO',
        'WITH held', // the deadline's delete, failing should its lease be lost
        // Sent on their own by this plain client; a service's go out with the delete.
        'SET LOCAL', // no waiting for the WAL flush
        'COMMIT',
      ]);
      expect(await scheduler.fireDue()).toBe(0);
      expect(run()).toEqual(['SELECT count(*)']);
    } finally {
      statements.mockRestore();
    }
    expect(await calledRows()).toEqual([
      { deadline_id: 'r', answer: 'leased' },
      { deadline_id: 'w', answer: 'in-tx' },
    ]);
  });

  it('fires leased and transactional kinds side by side, each once', async () => {
    const scheduler = new DeadlineScheduler({ pool: db.pool })
      .onLeased('register', async (_payload, complete, deadline) =>
        complete((client) => record(client, deadline.id, 'leased')),
      )
      .on('webhook', async (_payload, client, deadline) => record(client, deadline.id, 'in-tx'));
    for (const [id, kind] of [
      ['a', 'register'],
      ['b', 'webhook'],
      ['c', 'register'],
      ['d', 'webhook'],
    ] as const) {
      await scheduler.schedule(db.pool, { id, kind, dueAt: past(), payload: {} });
    }
    expect(await scheduler.fireDue()).toBe(4);
    expect(await calledRows()).toEqual([
      { deadline_id: 'a', answer: 'leased' },
      { deadline_id: 'b', answer: 'in-tx' },
      { deadline_id: 'c', answer: 'leased' },
      { deadline_id: 'd', answer: 'in-tx' },
    ]);
    expect(() => scheduler.on('register', async () => undefined)).toThrow(/exists/);
  });
});
