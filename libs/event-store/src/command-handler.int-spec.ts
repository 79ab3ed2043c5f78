import { startTestInfrastructure } from '@fulfil/testing';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { CommandHandler, type HandlerDecider } from './command-handler';
import { EventStore } from './event-store';
import { WrongExpectedVersionError } from './event-store.errors';
import { blocked, recordStatements, useEventStoreDatabase } from './testing/event-store.fixture';

// A tiny decider, shaped like @fulfil/decider's Decider (this library does not import it).
type AddCommand = { readonly type: 'Add'; readonly data: { readonly by: number } };
type AddedEvent = {
  readonly type: 'Added';
  readonly data: { readonly by: number; readonly total: number };
};
type Total = { readonly total: number };

class LimitExceeded extends Error {
  readonly code = 'COUNTER.LIMIT_EXCEEDED';
}

const counter: HandlerDecider<AddCommand, AddedEvent, Total> = {
  initialState: () => ({ total: 0 }),
  decide: (command, state) => {
    const total = state.total + command.data.by;
    if (total > 100) throw new LimitExceeded(`total would be ${total}`);
    return [{ type: 'Added', data: { by: command.data.by, total } }];
  },
  evolve: (state, event) => ({ total: state.total + event.data.by }),
};
const add = (by: number): AddCommand => ({ type: 'Add', data: { by } });
/** "Add" read as: raise the total to at least `by` (nothing to do when it is there). */
const atLeast: HandlerDecider<AddCommand, AddedEvent, Total> = {
  ...counter,
  decide: (command, state) =>
    state.total >= command.data.by ? [] : counter.decide(add(command.data.by - state.total), state),
};
const read = expect.stringMatching(/^SELECT .* FROM events/s);

const db = useEventStoreDatabase(startTestInfrastructure);

const stream = () => `counter-${randomUUID()}`;
/** A handler that reads every stream it has not appended to in the open transaction. */
const withoutMemory = () => new CommandHandler(new EventStore(db.pool, { committedStreams: 0 }));

describe('CommandHandler', () => {
  it('loads, decides and appends with the command metadata', async () => {
    const handler = new CommandHandler(db.store);
    const id = stream();
    const metadata = { correlationId: 'corr-7', actor: 'tester', now: '2026-03-04T05:06:07.000Z' };
    const first = await handler.handle(id, add(5), { decider: counter, metadata });
    expect(first).toMatchObject({ nextExpectedVersion: 1, state: { total: 5 }, attempts: 1 });
    expect(first.events).toEqual([{ type: 'Added', data: { by: 5, total: 5 }, metadata }]);
    const second = await handler.handle(id, add(7), { decider: counter, metadata });
    expect(second).toMatchObject({ nextExpectedVersion: 2, state: { total: 12 } });
    const stored = await db.store.readStream(id);
    expect(stored.map((e) => e.data)).toEqual([
      { by: 5, total: 5 },
      { by: 7, total: 12 },
    ]);
    expect(stored[1]).toMatchObject({
      metadata: { correlationId: 'corr-7', actor: 'tester' },
      recordedAt: new Date('2026-03-04T05:06:07.000Z'),
    });
    expect(stored[0]!.eventId).not.toBe(stored[1]!.eventId);
  });

  it('lets a domain error through without appending or retrying', async () => {
    const handler = new CommandHandler(db.store);
    const id = stream();
    await handler.handle(id, add(90), { decider: counter });
    let decisions = 0;
    const counting = {
      ...counter,
      decide: (c: AddCommand, s: Total) => (decisions++, counter.decide(c, s)),
    };
    await expect(handler.handle(id, add(20), { decider: counting })).rejects.toBeInstanceOf(
      LimitExceeded,
    );
    expect(decisions).toBe(1);
    expect(await db.store.readStream(id)).toHaveLength(1);
  });

  it('retries a handler that lost a race, deciding again on the winner’s events', async () => {
    const handler = new CommandHandler(db.store);
    const id = stream();
    await handler.handle(id, add(1), { decider: counter });

    // B loads and decides while A's append is still uncommitted; A commits only then.
    let bDecided!: () => void;
    const bHasDecided = new Promise<void>((resolve) => (bDecided = resolve));
    let bDecisions = 0;
    const deciderB = {
      ...counter,
      decide: (c: AddCommand, s: Total) => {
        bDecisions += 1;
        const events = counter.decide(c, s);
        bDecided();
        return events;
      },
    };
    const a = handler.handle(id, add(10), {
      decider: counter,
      afterAppend: async () => {
        await bHasDecided;
      },
    });
    const b = handler.handle(id, add(100 - 11), { decider: deciderB });
    const [resultA, resultB] = await Promise.all([a, b]);

    expect(resultA).toMatchObject({ nextExpectedVersion: 2, attempts: 1 });
    expect(resultB.attempts).toBeGreaterThanOrEqual(2);
    expect(bDecisions).toBe(resultB.attempts);
    expect(resultB).toMatchObject({ nextExpectedVersion: 3, state: { total: 100 } });
    expect((await db.store.readStream(id)).map((e) => [e.streamVersion, e.data])).toEqual([
      [1, { by: 1, total: 1 }],
      [2, { by: 10, total: 11 }],
      [3, { by: 89, total: 100 }], // decided on A's event: the retry reloaded the stream
    ]);
  });

  it('gives up after maxAttempts with WrongExpectedVersionError', async () => {
    const id = stream();
    // Every load of this store sees version 0, but the stream is already at 1.
    const stale = new EventStore(db.pool);
    stale.readStream = async () => [];
    await db.store.appendToStream(id, [{ type: 'Added', data: { by: 1, total: 1 } }], {
      expectedVersion: 'no_stream',
    });
    await expect(
      new CommandHandler(stale, { maxAttempts: 3, retryJitterMs: 1 }).handle(id, add(1), {
        decider: counter,
      }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(
      new CommandHandler(db.store).handle(id, add(1), { decider: counter }),
    ).resolves.toMatchObject({
      nextExpectedVersion: 2,
      state: { total: 2 },
    });
  });

  it('serves many concurrent commands on one stream, each applied once', async () => {
    const handler = new CommandHandler(db.store, { maxAttempts: 30, retryJitterMs: 10 });
    const id = stream();
    await Promise.all(
      Array.from({ length: 8 }, () => handler.handle(id, add(1), { decider: counter })),
    );
    const events = await db.store.readStream(id);
    expect(events.map((e) => (e.data as AddedEvent['data']).total)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });

  it('takes snapshots every n versions and loads from a fitting one', async () => {
    const handler = withoutMemory();
    const id = stream();
    const snapshot = { schemaVersion: 1, every: 2 };
    for (let i = 0; i < 5; i += 1) await handler.handle(id, add(1), { decider: counter, snapshot });
    expect(await db.store.loadLatestSnapshot(id)).toMatchObject({
      version: 4,
      state: { total: 4 },
      schemaVersion: 1,
    });

    // Prove the snapshot is used: doctor it, and the next decision builds on it.
    await db.pool.query(`UPDATE snapshots SET state = '{"total": 40}' WHERE stream_id = $1`, [id]);
    const fromSnapshot = await handler.handle(id, add(1), { decider: counter, snapshot });
    expect(fromSnapshot).toMatchObject({ nextExpectedVersion: 6, state: { total: 42 } });
    expect(await db.store.loadLatestSnapshot(id)).toMatchObject({
      version: 6,
      state: { total: 42 },
    });

    // A snapshot of another schema version is ignored: the state is rebuilt from events.
    const rebuilt = await handler.handle(id, add(1), {
      decider: counter,
      snapshot: { schemaVersion: 2, every: 100 },
    });
    expect(rebuilt.state).toEqual({ total: 7 });
  });

  it('runs afterAppend in the append transaction: its failure undoes the append', async () => {
    const handler = new CommandHandler(db.store);
    const id = stream();
    const seen: number[] = [];
    await handler.handle(id, add(3), {
      decider: counter,
      afterAppend: async (_client, events) => {
        seen.push(...events.map((e) => e.streamVersion));
      },
    });
    expect(seen).toEqual([1]);
    await expect(
      handler.handle(id, add(4), {
        decider: counter,
        afterAppend: async (client) => {
          await client.query('SELECT 1 FROM no_such_table');
        },
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(await db.store.readStream(id)).toHaveLength(1);
  });

  it('runs beforeAppend ahead of the append in its transaction: its failure appends nothing', async () => {
    const handler = new CommandHandler(db.store);
    const id = stream();
    const mark = randomUUID();
    let seenInTransaction: unknown;
    await handler.handle(id, add(3), {
      decider: counter,
      beforeAppend: { text: "SELECT set_config('fulfil.test_mark', $1, true)", values: [mark] },
      afterAppend: async (client) => {
        const { rows } = await client.query("SELECT current_setting('fulfil.test_mark') AS m");
        seenInTransaction = rows[0]!.m;
      },
    });
    expect(seenInTransaction).toBe(mark);
    const afterwards = jest.fn(async () => undefined);
    await expect(
      handler.handle(id, add(4), {
        decider: counter,
        beforeAppend: { text: 'SELECT 1 FROM no_such_table', values: [] },
        afterAppend: afterwards,
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(afterwards).not.toHaveBeenCalled();
    expect(await db.store.readStream(id)).toHaveLength(1);
  });

  describe('with the stream as the caller knows it (known)', () => {
    /** The statements `handle` runs in its caller's transaction, and its result. */
    const handleRecorded = (
      id: string,
      command: AddCommand,
      known: { state: Total; version: number },
      decider = counter,
    ) =>
      db.store.withTransaction(async (client) => {
        const recorded = recordStatements(client);
        try {
          const handler = new CommandHandler(db.store, { retryJitterMs: 1 });
          const result = await handler.handle(id, command, { decider, client, known });
          return { result, statements: recorded.statements };
        } finally {
          recorded.restore();
        }
      });

    it('creates a stream without reading it', async () => {
      const id = stream();
      const { result, statements } = await handleRecorded(id, add(4), {
        state: { total: 0 },
        version: 0,
      });
      expect(statements).toEqual(['event_store.checked_append']);
      expect(result).toMatchObject({ attempts: 1, nextExpectedVersion: 1, state: { total: 4 } });
      expect((await db.store.readStream(id)).map((e) => e.data)).toEqual([{ by: 4, total: 4 }]);
    });

    it('decides again on the stored stream when what it knew is stale', async () => {
      const id = stream();
      await new CommandHandler(db.store).handle(id, add(10), { decider: counter });
      const { result, statements } = await handleRecorded(id, add(4), {
        state: { total: 0 },
        version: 0,
      });
      expect(statements).toEqual([
        'event_store.checked_append',
        read,
        'event_store.checked_append',
      ]);
      expect(result).toMatchObject({ attempts: 2, nextExpectedVersion: 2, state: { total: 14 } });
    });

    it('checks a no-op or a refusal against the stored stream, which no append would check', async () => {
      const id = stream();
      await new CommandHandler(db.store).handle(id, add(10), { decider: counter });
      // A no-op on what it knew (20 ≥ 15), not on the stored total (10): the stored one decides.
      const raised = await handleRecorded(
        id,
        add(15),
        { state: { total: 20 }, version: 1 },
        atLeast,
      );
      expect(raised.statements).toEqual([read, 'event_store.checked_append']);
      expect(raised.result).toMatchObject({ nextExpectedVersion: 2, state: { total: 15 } });
      // Refused on a stale state that believed it near the limit; accepted by the stored one.
      const refused = await handleRecorded(id, add(50), { state: { total: 99 }, version: 2 });
      expect(refused.statements).toEqual([read, 'event_store.checked_append']);
      expect(refused.result).toMatchObject({ nextExpectedVersion: 3, state: { total: 65 } });
      expect((await db.store.readStream(id)).map((e) => (e.data as Total).total)).toEqual([
        10, 15, 65,
      ]);
    });
  });

  describe('inside the caller’s transaction (client)', () => {
    it('commits and rolls back with the caller’s own writes', async () => {
      const handler = new CommandHandler(db.store);
      const kept = stream();
      const undone = stream();
      await db.store.withTransaction((client) =>
        handler.handle(kept, add(2), { decider: counter, client }),
      );
      await expect(
        db.store.withTransaction(async (client) => {
          await handler.handle(undone, add(2), { decider: counter, client });
          throw new Error('caller failed after the command');
        }),
      ).rejects.toThrow('caller failed');
      expect(await db.store.readStream(kept)).toHaveLength(1);
      expect(await db.store.readStream(undone)).toHaveLength(0);
    });

    it('retries a lost race in the same transaction and leaves it usable', async () => {
      const id = stream();
      await db.store.appendToStream(id, [{ type: 'Added', data: { by: 1, total: 1 } }], {
        expectedVersion: 'no_stream',
      });
      // The first load misses the stream's event, as if it committed right after the read.
      const stale = new EventStore(db.pool);
      const readStream = stale.readStream.bind(stale);
      let loads = 0;
      stale.readStream = async (streamId, options) =>
        (loads += 1) === 1 ? [] : readStream(streamId, options);

      const outcome = await stale.withTransaction(async (client) => {
        const handled = await new CommandHandler(stale, { retryJitterMs: 1 }).handle(id, add(3), {
          decider: counter,
          client,
        });
        // The failed attempt wrote nothing: the transaction still takes more work.
        await client.query('SELECT 1');
        return handled;
      });
      expect(outcome).toMatchObject({ attempts: 2, nextExpectedVersion: 2, state: { total: 4 } });
      expect((await db.store.readStream(id)).map((e) => e.data)).toEqual([
        { by: 1, total: 1 },
        { by: 3, total: 4 },
      ]);
    });

    it('issues only the load and the append: no savepoint', async () => {
      const handler = withoutMemory();
      const id = stream();
      await handler.handle(id, add(1), { decider: counter });
      const statements = await db.store.withTransaction(async (client) => {
        const recorded = recordStatements(client);
        try {
          await handler.handle(id, add(2), { decider: counter, client });
          return recorded.statements;
        } finally {
          recorded.restore();
        }
      });
      expect(statements).toHaveLength(2);
      expect(statements[0]).toMatch(/^SELECT .* FROM events/s);
      expect(statements[1]).toBe('event_store.checked_append');
      expect((await db.store.readStream(id)).map((e) => e.data)).toEqual([
        { by: 1, total: 1 },
        { by: 2, total: 3 },
      ]);
    });

    it('retries a concurrent append in the same transaction, without a savepoint', async () => {
      const id = stream();
      await db.store.appendToStream(id, [{ type: 'Added', data: { by: 1, total: 1 } }], {
        expectedVersion: 'no_stream',
      });
      const other = await db.pool.connect();
      let otherCommitted: Promise<unknown> | undefined;
      try {
        await db.store.withTransaction(async (client) => {
          const { pid } = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
            .rows[0]!;
          // Right after the first load, another transaction appends version 2 and commits only
          // once this one's append of version 2 waits for it.
          const racing = new EventStore(db.pool);
          const readStream = racing.readStream.bind(racing);
          let loads = 0;
          racing.readStream = async (streamId, options) => {
            const events = await readStream(streamId, options);
            if ((loads += 1) === 1) {
              await other.query('BEGIN');
              await db.store.appendToStream(id, [{ type: 'Added', data: { by: 10, total: 11 } }], {
                expectedVersion: 1,
                client: other,
              });
              otherCommitted = blocked(db.pool, pid).then(() => other.query('COMMIT'));
            }
            return events;
          };
          const recorded = recordStatements(client);
          try {
            const handled = await new CommandHandler(racing, { retryJitterMs: 1 }).handle(
              id,
              add(3),
              { decider: counter, client },
            );
            expect(handled).toMatchObject({
              attempts: 2,
              nextExpectedVersion: 3,
              state: { total: 14 },
            });
            // Load, append (concurrent-append), load, append: nothing else.
            expect(recorded.statements).toHaveLength(4);
            expect(recorded.statements.filter((s) => /savepoint/i.test(s))).toEqual([]);
            expect(
              recorded.statements.filter((s) => s === 'event_store.checked_append'),
            ).toHaveLength(2);
          } finally {
            recorded.restore();
          }
          await client.query('SELECT 1');
        });
      } finally {
        await otherCommitted;
        await other.query('ROLLBACK'); // a no-op once committed
        other.release();
      }
      expect((await db.store.readStream(id)).map((e) => e.data)).toEqual([
        { by: 1, total: 1 },
        { by: 10, total: 11 },
        { by: 3, total: 14 }, // decided on the other transaction's event
      ]);
    });

    it('does not retry a conflict raised after its append (by afterAppend)', async () => {
      const handler = new CommandHandler(db.store, { retryJitterMs: 1 });
      const id = stream();
      let decisions = 0;
      const counting = {
        ...counter,
        decide: (c: AddCommand, s: Total) => (decisions++, counter.decide(c, s)),
      };
      await expect(
        db.store.withTransaction((client) =>
          handler.handle(id, add(1), {
            decider: counting,
            client,
            afterAppend: async () => {
              throw new WrongExpectedVersionError('elsewhere', 1, 2, 'version-mismatch');
            },
          }),
        ),
      ).rejects.toMatchObject({ streamId: 'elsewhere' });
      // A retry would have reloaded its own appended event and decided again.
      expect(decisions).toBe(1);
      expect(await db.store.readStream(id)).toHaveLength(0);
    });

    it('hands a transaction-order conflict to the caller instead of retrying in vain', async () => {
      const id = stream();
      await db.store.withTransaction(async (older) => {
        // The caller's transaction takes its id first…
        await older.query('SELECT pg_current_xact_id()');
        // …then a younger transaction writes the stream's head and commits.
        await db.store.appendToStream(id, [{ type: 'Added', data: { by: 1, total: 1 } }], {
          expectedVersion: 'no_stream',
        });
        await expect(
          new CommandHandler(db.store, { retryJitterMs: 1 }).handle(id, add(1), {
            decider: counter,
            client: older,
          }),
        ).rejects.toMatchObject({ reason: 'transaction-order' });
      });
    });
  });

  describe('again on a stream its caller’s transaction appended to', () => {
    let handler: CommandHandler;
    beforeAll(() => {
      handler = new CommandHandler(db.store, { retryJitterMs: 1 });
    });
    /** Runs `work` in one transaction, with the statements it sent so far at hand. */
    const inTransaction = <T>(
      work: (client: PoolClient, sent: () => readonly string[]) => Promise<T>,
    ): Promise<T> =>
      db.store.withTransaction(async (client) => {
        const recorded = recordStatements(client);
        try {
          return await work(client, () => recorded.statements);
        } finally {
          recorded.restore();
        }
      });

    it('decides a further command on what it appended, without reading the stream', async () => {
      const id = stream();
      const statements = await inTransaction(async (client, sent) => {
        await handler.handle(id, add(2), { decider: counter, client });
        const second = await handler.handle(id, add(3), { decider: counter, client });
        expect(second).toMatchObject({ nextExpectedVersion: 2, state: { total: 5 } });
        expect(second.recorded.map((e) => e.streamVersion)).toEqual([2]);
        return sent();
      });
      expect(statements).toEqual([
        read,
        'event_store.checked_append',
        'event_store.checked_append',
      ]);
      expect((await db.store.readStream(id)).map((e) => (e.data as Total).total)).toEqual([2, 5]);
    });

    it('takes a no-op or a refusal on it as final: no statement at all', async () => {
      const id = stream();
      const statements = await inTransaction(async (client, sent) => {
        await handler.handle(id, add(99), { decider: atLeast, client });
        const before = sent().length;
        const noOp = await handler.handle(id, add(50), { decider: atLeast, client });
        expect(noOp).toMatchObject({ events: [], recorded: [], nextExpectedVersion: 1 });
        await expect(handler.handle(id, add(200), { decider: atLeast, client })).rejects.toThrow(
          LimitExceeded,
        );
        return sent().slice(before);
      });
      expect(statements).toEqual([]);
    });

    it('reads again after an append that did not go through it, or for another decider', async () => {
      const id = stream();
      const statements = await inTransaction(async (client, sent) => {
        await handler.handle(id, add(1), { decider: counter, client });
        await db.store.appendToStream(id, [{ type: 'Added', data: { by: 10, total: 11 } }], {
          expectedVersion: 1,
          client,
        });
        const before = sent().length;
        // Raise to 5: a no-op on the stored total of 11, not on the 1 it appended itself.
        const raised = await handler.handle(id, add(5), { decider: atLeast, client });
        expect(raised).toMatchObject({ events: [], state: { total: 11 } });
        await handler.handle(id, add(1), { decider: counter, client });
        return sent().slice(before);
      });
      expect(statements).toEqual([read, read, 'event_store.checked_append']);
    });

    it('forgets it with the transaction, committed or rolled back', async () => {
      const id = stream();
      await expect(
        inTransaction(async (client) => {
          await handler.handle(id, add(1), { decider: counter, client });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      const statements = await inTransaction(async (client, sent) => {
        await handler.handle(id, add(2), { decider: counter, client });
        return sent();
      });
      expect(statements).toEqual([read, 'event_store.checked_append']);
      const next = await inTransaction(async (client, sent) => {
        await handler.handle(id, add(4), { decider: atLeast, client });
        return sent();
      });
      // A new transaction, maybe on the same connection: the stream is read, 2 < 4 appended.
      expect(next).toEqual([read, 'event_store.checked_append']);
      expect((await db.store.readStream(id)).map((e) => (e.data as Total).total)).toEqual([2, 4]);
    });
  });
  describe('in a later transaction, on the stream as this process last saw it committed', () => {
    let handler: CommandHandler;
    let statementsOf: <T>(work: (client: PoolClient) => Promise<T>) => Promise<readonly string[]>;
    beforeAll(() => {
      handler = new CommandHandler(db.store, { retryJitterMs: 1 });
      statementsOf = (work) =>
        db.store.withTransaction(async (client) => {
          const recorded = recordStatements(client);
          try {
            await work(client);
            return recorded.statements;
          } finally {
            recorded.restore();
          }
        });
    });
    /** Another process writing the same database: its appends do not reach our memory. */
    const elsewhere = () => new EventStore(db.pool);
    const totals = async (id: string) =>
      (await db.store.readStream(id)).map((e) => (e.data as Total).total);

    it('decides without reading the stream it appended to or read before', async () => {
      const id = stream();
      await handler.handle(id, add(1), { decider: counter });
      const afterAppend = await statementsOf((client) =>
        handler.handle(id, add(2), { decider: counter, client }),
      );
      expect(afterAppend).toEqual(['event_store.checked_append']);

      const loaded = stream();
      await elsewhere().appendToStream(loaded, [{ type: 'Added', data: { by: 4, total: 4 } }], {
        expectedVersion: 'no_stream',
      });
      await handler.load(loaded, counter);
      const afterLoad = await statementsOf((client) =>
        handler.handle(loaded, add(1), { decider: counter, client }),
      );
      expect(afterLoad).toEqual(['event_store.checked_append']);
      expect(await totals(id)).toEqual([1, 3]);
      expect(await totals(loaded)).toEqual([4, 5]);
    });

    it('reads the stream again, spending no attempt, when someone else moved it on', async () => {
      const once = new CommandHandler(db.store, { maxAttempts: 1 });
      const id = stream();
      await once.handle(id, add(1), { decider: counter });
      await elsewhere().appendToStream(id, [{ type: 'Added', data: { by: 10, total: 11 } }], {
        expectedVersion: 1,
      });
      let result: Awaited<ReturnType<typeof once.handle>> | undefined;
      const statements = await statementsOf(async (client) => {
        result = await once.handle(id, add(2), { decider: counter, client });
      });
      expect(result).toMatchObject({ attempts: 1, nextExpectedVersion: 3, state: { total: 13 } });
      expect(statements).toEqual([
        'event_store.checked_append',
        read,
        'event_store.checked_append',
      ]);
      expect(await totals(id)).toEqual([1, 11, 13]);
    });

    it('takes a known stream that current() gave from memory as memory: no attempt spent when stale', async () => {
      const once = new CommandHandler(db.store, { maxAttempts: 1 });
      const id = stream();
      await once.handle(id, add(1), { decider: counter });
      const known = await once.current(id, counter);
      await elsewhere().appendToStream(id, [{ type: 'Added', data: { by: 10, total: 11 } }], {
        expectedVersion: 1,
      });
      let result: Awaited<ReturnType<typeof once.handle>> | undefined;
      const statements = await statementsOf(async (client) => {
        result = await once.handle(id, add(2), { decider: counter, client, known });
      });
      expect(result).toMatchObject({ attempts: 1, nextExpectedVersion: 3, state: { total: 13 } });
      expect(statements).toEqual([
        'event_store.checked_append',
        read,
        'event_store.checked_append',
      ]);
    });

    it('checks a no-op or a refusal on what it remembers against the stored stream', async () => {
      const id = stream();
      await handler.handle(id, add(5), { decider: atLeast });
      // Elsewhere the total goes down to 2: "at least 5" is no longer a no-op…
      await elsewhere().appendToStream(id, [{ type: 'Added', data: { by: -3, total: 2 } }], {
        expectedVersion: 1,
      });
      const raised = await handler.handle(id, add(5), { decider: atLeast });
      expect(raised).toMatchObject({ nextExpectedVersion: 3, state: { total: 5 } });
      // … and elsewhere it goes down to 0: adding 100 is no longer refused.
      await elsewhere().appendToStream(id, [{ type: 'Added', data: { by: -5, total: 0 } }], {
        expectedVersion: 3,
      });
      const added = await handler.handle(id, add(100), { decider: counter });
      expect(added).toMatchObject({ nextExpectedVersion: 5, state: { total: 100 } });
      expect(await totals(id)).toEqual([5, 2, 5, 0, 100]);
    });

    it('gives the stream as it knows it with current(), reading only what it does not know', async () => {
      const id = stream();
      expect(await handler.current(id, counter)).toEqual({ state: { total: 0 }, version: 0 });
      // Remembered as empty, created elsewhere since: an empty stream is read again.
      await elsewhere().appendToStream(id, [{ type: 'Added', data: { by: 2, total: 2 } }], {
        expectedVersion: 'no_stream',
      });
      let current: unknown;
      const statements = await statementsOf(async (client) => {
        current = await handler.current(id, counter, undefined, client);
      });
      expect(current).toEqual({ state: { total: 2 }, version: 1, lastEventId: expect.any(String) });
      expect(statements).toEqual([read]);
      // Committed since: known without a statement, as is what the open transaction appended.
      const known = await statementsOf(async (client) => {
        expect(await handler.current(id, counter, undefined, client)).toEqual(current);
        await handler.handle(id, add(3), { decider: counter, client });
        expect(await handler.current(id, counter, undefined, client)).toEqual({
          state: { total: 5 },
          version: 2,
          lastEventId: expect.any(String),
        });
      });
      expect(known).toEqual(['event_store.checked_append']);
    });

    it('refuses a memory of events the database lost, even when the stream reaches that version again', async () => {
      const id = stream();
      await handler.handle(id, add(1), { decider: counter });
      await handler.handle(id, add(2), { decider: counter });
      // The commit of version 2 is lost (committed asynchronously before a PostgreSQL crash, or
      // not replicated before a failover), as the process goes on remembering it…
      await db.pool.query('DELETE FROM events WHERE stream_id = $1 AND stream_version = 2', [id]);
      // … and another instance writes version 2 again.
      await elsewhere().appendToStream(id, [{ type: 'Added', data: { by: 10, total: 11 } }], {
        expectedVersion: 1,
      });
      const next = await handler.handle(id, add(1), { decider: counter });
      expect(next).toMatchObject({ attempts: 1, nextExpectedVersion: 3, state: { total: 12 } });
      expect(await totals(id)).toEqual([1, 11, 12]);
    });

    it('does not remember a stream loaded from a snapshot alone, whose last event it does not know', async () => {
      const policy = { schemaVersion: 1, every: 2 };
      const id = stream();
      await handler.handle(id, add(1), { decider: counter, snapshot: policy });
      await handler.handle(id, add(2), { decider: counter, snapshot: policy });
      const fresh = new CommandHandler(new EventStore(db.pool));
      const loaded = await fresh.load(id, counter, policy);
      expect(loaded).toEqual({ state: { total: 3 }, version: 2, lastEventId: undefined });
      const statements = await statementsOf((client) =>
        fresh.handle(id, add(1), { decider: counter, snapshot: policy, client }),
      );
      expect(statements).toContainEqual(read);
    });

    it('never remembers what a rollback undid, even when the stream reaches that version again', async () => {
      const id = stream();
      await handler.handle(id, add(1), { decider: counter });
      await expect(
        db.store.withTransaction(async (client) => {
          await handler.handle(id, add(10), { decider: counter, client });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      // Version 2 exists again, with other events: a remembered version 2 would pass the check.
      await elsewhere().appendToStream(id, [{ type: 'Added', data: { by: 5, total: 6 } }], {
        expectedVersion: 1,
      });
      const next = await handler.handle(id, add(1), { decider: counter });
      expect(next).toMatchObject({ nextExpectedVersion: 3, state: { total: 7 } });
      expect(await totals(id)).toEqual([1, 6, 7]);
    });
  });
});
