// Leased deadlines due at once that the writing process runs itself at the commit
// (DeadlineScheduler.handOffWrite): no poll finds them and no statement leases them; the lease
// written with them is the safety net should that process stop or die first.
import { runWrites, withTransaction } from '@fulfil/event-store';
import { Client, type PoolClient } from 'pg';
import {
  pendingCall,
  remainingDeadlines,
  useDeadlinesDatabase,
  waitFor,
} from '../testing/messaging-test-kit';
import { DeadlineScheduler } from './deadline-scheduler';
import type { ScheduledDeadline } from './deadline.types';

const db = useDeadlinesDatabase('handled', 'CREATE TABLE handled (deadline_id text NOT NULL)');
const handledIds = async () =>
  (await db.pool.query<{ deadline_id: string }>('SELECT deadline_id FROM handled ORDER BY 1')).rows;
const remaining = () => remainingDeadlines(db.pool);
/** Records, in the transaction that completes a deadline, that `id` was handled. */
const recordHandled = (id: string) => async (client: PoolClient) => {
  await client.query('INSERT INTO handled VALUES ($1)', [id]);
};
const register = (id: string): ScheduledDeadline => ({
  id,
  kind: 'register',
  dueAt: new Date(),
  payload: {},
});

/** A running scheduler whose loop, past its first pass, would not poll again for a minute. */
async function runningScheduler(options: { concurrency?: number; leaseMs?: number } = {}) {
  const calls: string[] = [];
  const call = pendingCall();
  const scheduler = new DeadlineScheduler({ pool: db.pool, pollIntervalMs: 60_000, ...options });
  scheduler.onLeased('register', async (_payload, complete, deadline) => {
    calls.push(deadline.id);
    call.started();
    if ((await call.answer) === 'fail') throw new Error('provider unavailable');
    await complete(recordHandled(deadline.id));
  });
  const statements = jest.spyOn(Client.prototype, 'query');
  scheduler.start();
  await waitFor(async () => statements.mock.calls.length > 0, 'the first pass');
  statements.mockRestore();
  return { scheduler, call, calls };
}

/** Commits the handed-off writes of `ids` in one transaction. */
async function handOff(scheduler: DeadlineScheduler, ...ids: string[]) {
  await withTransaction(db.pool, (client) =>
    runWrites(
      client,
      ids.map((id) => scheduler.handOffWrite(register(id))),
    ),
  );
}

/** A scheduler that is not running, to see what another instance would find due. */
const otherInstance = () =>
  new DeadlineScheduler({ pool: db.pool }).onLeased('register', async (_p, complete, deadline) =>
    complete(recordHandled(`other:${deadline.id}`)),
  );

describe('DeadlineScheduler.handOffWrite', () => {
  it('runs the handler at the commit, with no poll and no lease statement, and holds the lease meanwhile', async () => {
    const { scheduler, call } = await runningScheduler();
    const sent: string[] = [];
    /** The statements `work` sent, into `sent`. */
    const recording = async (work: () => Promise<unknown>) => {
      const statements = jest.spyOn(Client.prototype, 'query');
      try {
        await work();
      } finally {
        for (const [config] of statements.mock.calls)
          sent.push(typeof config === 'string' ? config : (config as { text: string }).text);
        statements.mockRestore();
      }
    };
    try {
      await recording(async () => {
        await handOff(scheduler, 'h1');
        await call.inFlight;
      });
      const { rows } = await db.pool.query<{ leased: boolean }>(
        `SELECT due_at > now() + interval '50 seconds' AS leased FROM deadlines`,
      );
      expect(rows).toEqual([{ leased: true }]);
      expect(await otherInstance().fireDue()).toBe(0);
      await recording(async () => {
        call.release('ok');
        await waitFor(async () => (await remaining()).length === 0, 'the deadline deleted');
      });
    } finally {
      await scheduler.stop();
    }
    expect(sent.filter((text) => /SELECT count|UPDATE deadlines/.test(text))).toEqual([]);
    expect(await handledIds()).toEqual([{ deadline_id: 'h1' }]);
  });

  it('pushes a failed handed-off call back with backoff, as the loop would', async () => {
    const { scheduler, call } = await runningScheduler();
    try {
      await handOff(scheduler, 'h2');
      call.release('fail');
      await waitFor(async () => (await remaining())[0]?.attempts === 1, 'the pushed-back deadline');
      expect(await remaining()).toEqual([
        { deadline_id: 'h2', attempts: 1, last_error: 'provider unavailable' },
      ]);
    } finally {
      await scheduler.stop();
    }
  });

  it('makes the handed-off deadlines that had not started due again when it stops', async () => {
    const { scheduler, call, calls } = await runningScheduler({ concurrency: 1 });
    await handOff(scheduler, 'first', 'second');
    await call.inFlight;
    const stopping = scheduler.stop();
    call.release('ok');
    await stopping;
    expect(calls).toEqual(['first']);
    expect(await otherInstance().fireDue()).toBe(1);
    expect(await handledIds()).toEqual([{ deadline_id: 'first' }, { deadline_id: 'other:second' }]);
  });

  it('leaves a deadline whose process never ran it to any scheduler once the lease ran out', async () => {
    const { scheduler, calls } = await runningScheduler({ leaseMs: 300 });
    const write = scheduler.handOffWrite(register('orphan'));
    await scheduler.stop(); // gone between the write and its commit, as a process that dies
    await withTransaction(db.pool, (client) => runWrites(client, [write]));
    const other = otherInstance();
    expect(await other.fireDue()).toBe(0);
    await waitFor(async () => (await other.fireDue()) === 1, 'the lease running out');
    expect(calls).toEqual([]);
    expect(await handledIds()).toEqual([{ deadline_id: 'other:orphan' }]);
  });

  it('is refused outside a transaction, where nothing would start it', async () => {
    const { scheduler } = await runningScheduler();
    try {
      await expect(runWrites(db.pool, [scheduler.handOffWrite(register('h3'))])).rejects.toThrow(
        /inside withTransaction/,
      );
      expect(await remaining()).toEqual([]);
    } finally {
      await scheduler.stop();
    }
  });

  it('schedules as scheduleWrite does while the loop is stopped or for work not due yet', async () => {
    const { scheduler } = await runningScheduler();
    try {
      const later = { ...register('later'), dueAt: new Date(Date.now() + 60_000) };
      await runWrites(db.pool, [scheduler.handOffWrite(later)]);
    } finally {
      await scheduler.stop();
    }
    const stopped = otherInstance();
    await runWrites(db.pool, [stopped.handOffWrite(register('not-running'))]);
    expect(await stopped.fireDue()).toBe(1);
    expect(await handledIds()).toEqual([{ deadline_id: 'other:not-running' }]);
    expect(await remaining()).toEqual([{ deadline_id: 'later', attempts: 0, last_error: null }]);
  });
});
