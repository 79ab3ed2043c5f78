import { startTestInfrastructure } from '@fulfil/testing';
import { randomUUID } from 'node:crypto';
import { EventStore } from './event-store';
import {
  DuplicateEventIdError,
  EventStoreError,
  WrongExpectedVersionError,
} from './event-store.errors';
import type { NewEvent } from './event.types';
import { blocked, recordStatements, useEventStoreDatabase } from './testing/event-store.fixture';
import { Upcasters } from './upcasters';

const db = useEventStoreDatabase(startTestInfrastructure);

const stream = () => `counter-${randomUUID()}`;
const added = (by: number, metadata?: NewEvent['metadata']): NewEvent => ({
  type: 'Added',
  data: { by },
  ...(metadata ? { metadata } : {}),
});
const countRows = async (streamId: string) =>
  Number(
    (await db.pool.query('SELECT count(*) AS n FROM events WHERE stream_id = $1', [streamId]))
      .rows[0].n,
  );

describe('the migration', () => {
  it('creates events and snapshots with the read-all index and is recorded by TypeORM', async () => {
    const { rows } = await db.pool.query(
      `SELECT indexname FROM pg_indexes WHERE tablename IN ('events', 'snapshots') ORDER BY 1`,
    );
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'events_read_all_idx',
        'events_stream_version_key',
        'events_event_id_key',
        'snapshots_pkey',
      ]),
    );
    const migrations = await db.pool.query('SELECT name FROM migrations');
    expect(migrations.rows).toEqual([{ name: 'CreateEventStore1732300000000' }]);
  });
});

describe('appendToStream and readStream', () => {
  it('appends a batch as consecutive versions and reads it back in order with metadata', async () => {
    const id = stream();
    const eventId = randomUUID();
    const first = await db.store.appendToStream(
      id,
      [
        added(1, {
          eventId,
          now: '2026-01-02T03:04:05.000Z',
          correlationId: 'corr-1',
          causationId: 'cmd-1',
          actor: 'tester',
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        }),
        added(2),
      ],
      { expectedVersion: 'no_stream' },
    );
    expect(first.nextExpectedVersion).toBe(2);
    expect(first.globalPositions).toHaveLength(2);
    expect(BigInt(first.globalPositions[0]!)).toBeLessThan(BigInt(first.globalPositions[1]!));
    const second = await db.store.appendToStream(id, [added(3)], { expectedVersion: 2 });
    expect(second.nextExpectedVersion).toBe(3);

    const events = await db.store.readStream(id);
    expect(events.map((e) => [e.streamVersion, e.type, e.data])).toEqual([
      [1, 'Added', { by: 1 }],
      [2, 'Added', { by: 2 }],
      [3, 'Added', { by: 3 }],
    ]);
    expect(events[0]).toMatchObject({
      eventId,
      streamId: id,
      schemaVersion: 1,
      globalPosition: first.globalPositions[0],
      recordedAt: new Date('2026-01-02T03:04:05.000Z'),
      metadata: { correlationId: 'corr-1', causationId: 'cmd-1', actor: 'tester' },
    });
    // The append reports its events exactly as a read returns them.
    expect([...first.recorded, ...second.recorded]).toEqual(events);
    expect(events[1]!.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events[0]!.transactionId).toBe(events[1]!.transactionId);
    expect(events[2]!.transactionId).not.toBe(events[0]!.transactionId);
    expect((await db.store.readStream(id, { fromVersion: 3 })).map((e) => e.streamVersion)).toEqual(
      [3],
    );
    expect(await db.store.readStream(stream())).toEqual([]);
  });

  it("enforces 'no_stream', numbers and 'any'", async () => {
    const id = stream();
    await expect(
      db.store.appendToStream(id, [added(1)], { expectedVersion: 1 }),
    ).rejects.toMatchObject({
      code: 'EVENT_STORE.WRONG_EXPECTED_VERSION',
      actualVersion: 0,
      reason: 'version-mismatch',
    });
    await db.store.appendToStream(id, [added(1)], { expectedVersion: 'no_stream' });
    await expect(
      db.store.appendToStream(id, [added(1)], { expectedVersion: 'no_stream' }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(
      db.store.appendToStream(id, [added(1)], { expectedVersion: 0 }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    // A version ahead of the stream would leave a gap: refused too.
    await expect(
      db.store.appendToStream(id, [added(1)], { expectedVersion: 5 }),
    ).rejects.toMatchObject({
      actualVersion: 1,
    });
    expect(
      (await db.store.appendToStream(id, [added(2)], { expectedVersion: 'any' }))
        .nextExpectedVersion,
    ).toBe(2);
    const fresh = stream();
    expect(
      (await db.store.appendToStream(fresh, [added(1)], { expectedVersion: 'any' }))
        .nextExpectedVersion,
    ).toBe(1);
    expect(await countRows(id)).toBe(2);
  });

  it('refuses an expected last event that is not the stream’s event at that version', async () => {
    const id = stream();
    const first = await db.store.appendToStream(id, [added(1)], { expectedVersion: 'no_stream' });
    const firstId = first.recorded[0]!.eventId;
    const other = randomUUID();
    for (const events of [[added(2)], []]) {
      await expect(
        db.store.appendToStream(id, events, { expectedVersion: 1, expectedLastEventId: other }),
      ).rejects.toMatchObject({ actualVersion: 1, reason: 'head-mismatch' });
    }
    expect(await countRows(id)).toBe(1);
    const second = await db.store.appendToStream(id, [added(2)], {
      expectedVersion: 1,
      expectedLastEventId: firstId,
    });
    expect(second.nextExpectedVersion).toBe(2);
    // Nothing to expect of a stream without events.
    const fresh = stream();
    await db.store.appendToStream(fresh, [added(1)], {
      expectedVersion: 'no_stream',
      expectedLastEventId: other,
    });
    expect(await countRows(id)).toBe(2);
    expect(await countRows(fresh)).toBe(1);
  });

  it('lets exactly one of 20 concurrent writers win each version', async () => {
    const id = stream();
    for (let version = 0; version < 3; version += 1) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, writer) =>
          db.store.appendToStream(id, [added(writer), added(writer)], {
            expectedVersion: version === 0 ? 'no_stream' : version * 2,
          }),
        ),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o) => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const loss of lost) expect(loss.reason).toBeInstanceOf(WrongExpectedVersionError);
    }
    const events = await db.store.readStream(id);
    expect(events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6]);
    // Each winner's batch is contiguous: versions 2k-1 and 2k come from the same writer.
    for (let i = 0; i < 6; i += 2) expect(events[i]!.data).toEqual(events[i + 1]!.data);
  });

  it("serialises 20 concurrent 'any' writers without losing one", async () => {
    const id = stream();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, writer) =>
        db.store.appendToStream(id, [added(writer)], { expectedVersion: 'any' }),
      ),
    );
    expect(results.map((r) => r.nextExpectedVersion).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(await countRows(id)).toBe(20);
  });

  it('writes nothing of a failing batch', async () => {
    const id = stream();
    await db.store.appendToStream(id, [added(1)], { expectedVersion: 'no_stream' });
    const duplicated = randomUUID();
    await expect(
      db.store.appendToStream(
        id,
        [added(2, { eventId: duplicated }), added(3, { eventId: duplicated })],
        {
          expectedVersion: 1,
        },
      ),
    ).rejects.toBeInstanceOf(DuplicateEventIdError);
    // jsonb refuses \u0000: the database fails on the third row of the batch.
    await expect(
      db.store.appendToStream(
        id,
        [added(2), added(3), { type: 'Added', data: { text: 'a\u0000b' } }],
        {
          expectedVersion: 1,
        },
      ),
    ).rejects.toThrow();
    await expect(
      db.store.appendToStream(id, [added(2), { type: '', data: {} }], { expectedVersion: 1 }),
    ).rejects.toBeInstanceOf(EventStoreError);
    expect(await countRows(id)).toBe(1);
    expect(
      (await db.store.appendToStream(id, [added(2)], { expectedVersion: 1 })).nextExpectedVersion,
    ).toBe(2);
  });

  it('commits the events and other rows of withTransaction together, or neither', async () => {
    await db.pool.query('CREATE TABLE IF NOT EXISTS outbox_probe (event_id uuid PRIMARY KEY)');
    const id = stream();
    const eventId = randomUUID();
    await expect(
      db.store.withTransaction(async (client) => {
        await db.store.appendToStream(id, [added(1, { eventId })], {
          expectedVersion: 'no_stream',
          client,
        });
        await client.query('INSERT INTO outbox_probe VALUES ($1)', [eventId]);
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect(await countRows(id)).toBe(0);
    expect(
      (await db.pool.query('SELECT 1 FROM outbox_probe WHERE event_id = $1', [eventId])).rowCount,
    ).toBe(0);

    await db.store.withTransaction(async (client) => {
      await db.store.appendToStream(id, [added(1, { eventId })], {
        expectedVersion: 'no_stream',
        client,
      });
      await client.query('INSERT INTO outbox_probe VALUES ($1)', [eventId]);
    });
    expect(await countRows(id)).toBe(1);
    expect(
      (await db.pool.query('SELECT 1 FROM outbox_probe WHERE event_id = $1', [eventId])).rowCount,
    ).toBe(1);
  });

  it('refuses to append after a younger transaction, so read-all keeps stream order', async () => {
    const id = stream();
    const older = await db.pool.connect();
    try {
      await older.query('BEGIN');
      // `older` gets its transaction id now, by writing to another stream.
      await db.store.appendToStream(stream(), [added(0)], {
        expectedVersion: 'no_stream',
        client: older,
      });
      await db.store.appendToStream(id, [added(1)], { expectedVersion: 'no_stream' }); // younger, committed
      await expect(
        db.store.appendToStream(id, [added(2)], { expectedVersion: 1, client: older }),
      ).rejects.toMatchObject({
        code: WrongExpectedVersionError.CODE,
        reason: 'transaction-order',
      });
    } finally {
      await older.query('ROLLBACK');
      older.release();
    }
    expect(
      (await db.store.appendToStream(id, [added(2)], { expectedVersion: 1 })).nextExpectedVersion,
    ).toBe(2);
  });
});

describe('appendToStream inside the caller’s transaction', () => {
  it('appends one event in one statement', async () => {
    const id = stream();
    await db.store.appendToStream(id, [added(1)], { expectedVersion: 'no_stream' });
    await db.store.withTransaction(async (client) => {
      const recorded = recordStatements(client);
      try {
        const result = await db.store.appendToStream(id, [added(2)], {
          expectedVersion: 1,
          client,
        });
        expect(result.nextExpectedVersion).toBe(2);
        expect(recorded.statements).toEqual(['event_store.checked_append']);
      } finally {
        recorded.restore();
      }
    });
    expect(await countRows(id)).toBe(2);
  });

  it('refuses a stale expected version without aborting the transaction', async () => {
    const id = stream();
    await db.store.appendToStream(id, [added(1), added(2)], { expectedVersion: 'no_stream' });
    const other = stream();
    const refusedId = randomUUID();
    await db.store.withTransaction(async (client) => {
      // Refused before any row is built: the transaction does not even get an id from it.
      await expect(
        db.store.appendToStream(id, [added(3)], { expectedVersion: 'no_stream', client }),
      ).rejects.toMatchObject({ reason: 'version-mismatch', actualVersion: 2 });
      expect(
        (await client.query('SELECT pg_current_xact_id_if_assigned() AS own')).rows[0].own,
      ).toBeNull();
      // The transaction has written before the refused append: that work must survive it.
      await db.store.appendToStream(other, [added(0)], { expectedVersion: 'no_stream', client });
      await expect(
        db.store.appendToStream(id, [added(3, { eventId: refusedId }), added(4)], {
          expectedVersion: 1,
          client,
        }),
      ).rejects.toMatchObject({
        code: WrongExpectedVersionError.CODE,
        reason: 'version-mismatch',
        actualVersion: 2,
      });
      // Still usable: no "current transaction is aborted" error.
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(await db.store.readStream(id, { client })).toHaveLength(2);
    });
    expect(await countRows(other)).toBe(1);
    expect(await countRows(id)).toBe(2);
    expect(
      (await db.pool.query('SELECT 1 FROM events WHERE event_id = $1', [refusedId])).rowCount,
    ).toBe(0);
  });

  it.each([
    ['its only event', 1],
    ['both its events (the second went in, then is deleted)', 2],
  ])(
    'a writer whose version a concurrent transaction took gets concurrent-append for %s, keeps a usable transaction and none of its rows',
    async (_case, count) => {
      const id = stream();
      await db.store.appendToStream(id, [added(1)], { expectedVersion: 'no_stream' });
      const a = await db.pool.connect();
      const b = await db.pool.connect();
      const lost = Array.from({ length: count }, (_, i) =>
        added(20 + i, { eventId: randomUUID() }),
      );
      let recorded: ReturnType<typeof recordStatements> | undefined;
      try {
        await a.query('BEGIN');
        await b.query('BEGIN');
        const { pid } = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!;
        // A takes version 2 and keeps its transaction open.
        await db.store.appendToStream(id, [added(2)], { expectedVersion: 1, client: a });
        // B expects version 1 too: its insert of version 2 waits for A…
        recorded = recordStatements(b);
        const appendB = db.store.appendToStream(id, lost, { expectedVersion: 1, client: b }).then(
          () => undefined,
          (error: unknown) => error,
        );
        await blocked(db.pool, pid);
        // …and when A commits, B's insert of version 2 is skipped (ON CONFLICT DO NOTHING).
        await a.query('COMMIT');
        expect(await appendB).toMatchObject({
          code: WrongExpectedVersionError.CODE,
          reason: 'concurrent-append',
        });
        // Version 3 was free: with two events, B inserted it and then deleted it again.
        expect(recorded.statements).toEqual(
          count === 1
            ? ['event_store.checked_append']
            : ['event_store.checked_append', 'event_store.undo_append'],
        );
        recorded.restore();
        recorded = undefined;

        // B's transaction goes on: it sees A's event and none of its own, and its retry (with
        // the same event ids) commits.
        expect((await db.store.readStream(id, { client: b })).map((e) => e.streamVersion)).toEqual([
          1, 2,
        ]);
        const retried = await db.store.appendToStream(id, lost, { expectedVersion: 2, client: b });
        expect(retried.nextExpectedVersion).toBe(2 + count);
        await b.query('COMMIT');
      } finally {
        recorded?.restore();
        await a.query('ROLLBACK');
        await b.query('ROLLBACK');
        a.release();
        b.release();
      }
      const events = await db.store.readStream(id);
      expect(events.map((e) => e.streamVersion)).toEqual(
        Array.from({ length: 2 + count }, (_, i) => i + 1),
      );
      expect(events.slice(2).map((e) => e.eventId)).toEqual(lost.map((e) => e.metadata!.eventId));
    },
  );
});

describe('upcasting on read', () => {
  it('upcasts old schema versions in readStream and readAll, and stamps new events with the newest', async () => {
    const upcasters = new Upcasters()
      .register('Renamed', 1, (data) => ({ fullName: (data as { name: string }).name }))
      .register('Renamed', 2, (data) => ({ ...(data as object), locale: 'en' }));
    const upcasting = new EventStore(db.pool, { upcasters });
    const id = stream();
    await db.store.appendToStream(id, [{ type: 'Renamed', data: { name: 'Ada' } }], {
      expectedVersion: 'no_stream',
    });
    await db.store.appendToStream(
      id,
      [{ type: 'Renamed', data: { fullName: 'Bob' }, schemaVersion: 2 }],
      {
        expectedVersion: 1,
      },
    );
    await upcasting.appendToStream(
      id,
      [{ type: 'Renamed', data: { fullName: 'Cy', locale: 'fr' } }],
      {
        expectedVersion: 2,
      },
    );
    const stored = await db.pool.query(
      'SELECT schema_version, data FROM events WHERE stream_id = $1 ORDER BY stream_version',
      [id],
    );
    expect(stored.rows).toEqual([
      { schema_version: 1, data: { name: 'Ada' } },
      { schema_version: 2, data: { fullName: 'Bob' } },
      { schema_version: 3, data: { fullName: 'Cy', locale: 'fr' } },
    ]);
    const expected = [
      { schemaVersion: 3, data: { fullName: 'Ada', locale: 'en' } },
      { schemaVersion: 3, data: { fullName: 'Bob', locale: 'en' } },
      { schemaVersion: 3, data: { fullName: 'Cy', locale: 'fr' } },
    ];
    expect(
      (await upcasting.readStream(id)).map(({ schemaVersion, data }) => ({ schemaVersion, data })),
    ).toEqual(expected);
    const all = [];
    let checkpoint = null;
    for (;;) {
      const page = await upcasting.readAll({ after: checkpoint, limit: 50 });
      if (page.events.length === 0) break;
      all.push(...page.events.filter((e) => e.streamId === id));
      checkpoint = page.checkpoint;
    }
    expect(all.map(({ schemaVersion, data }) => ({ schemaVersion, data }))).toEqual(expected);
  });

  it('refuses a second upcaster for the same step', () => {
    const upcasters = new Upcasters().register('X', 1, (d) => d);
    expect(() => upcasters.register('X', 1, (d) => d)).toThrow(/already registered/);
  });
});

describe('snapshots', () => {
  it('returns the latest snapshot and never replaces it with an older one', async () => {
    const id = stream();
    expect(await db.store.loadLatestSnapshot(id)).toBeNull();
    await db.store.saveSnapshot(id, { version: 5, state: { total: 15 }, schemaVersion: 1 });
    await db.store.saveSnapshot(id, { version: 3, state: { total: 6 }, schemaVersion: 1 });
    expect(await db.store.loadLatestSnapshot(id)).toMatchObject({
      streamId: id,
      version: 5,
      state: { total: 15 },
      schemaVersion: 1,
    });
    await db.store.saveSnapshot(id, { version: 8, state: { total: 36 }, schemaVersion: 2 });
    expect(await db.store.loadLatestSnapshot(id)).toMatchObject({
      version: 8,
      state: { total: 36 },
      schemaVersion: 2,
    });
  });
});
