import { startTestInfrastructure } from '@fulfil/testing';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Checkpoint, NewEvent, RecordedEvent } from './event.types';
import { delay, useEventStoreDatabase } from './testing/event-store.fixture';

const db = useEventStoreDatabase(startTestInfrastructure);
beforeEach(() => db.pool.query('TRUNCATE events'));

const event = (label: string): NewEvent => ({ type: 'Noted', data: { label } });

describe('readAll', () => {
  it('pages through everything after a checkpoint, and keeps the checkpoint when nothing is new', async () => {
    // Twelve events first, so positions run past 9 → 10 (numeric, not text, order).
    const many = Array.from({ length: 12 }, (_, i) => event(`m${i + 1}`));
    await db.store.appendToStream('m', many, { expectedVersion: 'no_stream' });
    await db.store.appendToStream('a', [event('a1'), event('a2')], {
      expectedVersion: 'no_stream',
    });
    await db.store.appendToStream('b', [event('b1')], { expectedVersion: 'no_stream' });
    await db.store.appendToStream('a', [event('a3')], { expectedVersion: 2 });
    const labels: string[] = [];
    let checkpoint: Checkpoint | null = null;
    for (;;) {
      const page: { events: RecordedEvent[]; checkpoint: Checkpoint | null } =
        await db.store.readAll({
          after: checkpoint,
          limit: 3,
        });
      if (page.events.length === 0) {
        expect(page.checkpoint).toEqual(checkpoint);
        break;
      }
      labels.push(...page.events.map((e) => (e.data as { label: string }).label));
      checkpoint = page.checkpoint;
    }
    expect(labels).toEqual([
      ...many.map((e) => (e.data as { label: string }).label),
      'a1',
      'a2',
      'b1',
      'a3',
    ]);
    expect(await db.store.readAll({ after: null, limit: 100 })).toMatchObject({
      events: { length: 16 },
    });
  });

  it('does not skip the event a naive global_position reader skips', async () => {
    const naiveRead = async (after: string) =>
      (
        await db.pool.query<{ global_position: string; label: string }>(
          `SELECT global_position::text, data->>'label' AS label FROM events
            WHERE global_position > $1 ORDER BY global_position`,
          [after],
        )
      ).rows;
    const t1 = await db.pool.connect();
    const t2 = await db.pool.connect();
    try {
      // T1 takes the first position (and transaction id) but stays open.
      await t1.query('BEGIN');
      const slow = await db.store.appendToStream('slow', [event('T1')], {
        expectedVersion: 'no_stream',
        client: t1,
      });
      // T2 takes a later position and commits first.
      await t2.query('BEGIN');
      const fast = await db.store.appendToStream('fast', [event('T2')], {
        expectedVersion: 'no_stream',
        client: t2,
      });
      await t2.query('COMMIT');
      expect(BigInt(slow.globalPositions[0]!)).toBeLessThan(BigInt(fast.globalPositions[0]!));

      // The naive reader sees T2's row and advances past T1's position.
      const naiveFirst = await naiveRead('0');
      expect(naiveFirst.map((r) => r.label)).toEqual(['T2']);
      const naiveCheckpoint = naiveFirst.at(-1)!.global_position;

      // The store's reader holds back: T2 is younger than the still-open T1.
      const first = await db.store.readAll({ after: null, limit: 10 });
      expect(first.events).toEqual([]);
      expect(first.checkpoint).toBeNull();

      await t1.query('COMMIT');

      // Once T1 commits, the naive reader never sees it: skipped for ever.
      expect(await naiveRead(naiveCheckpoint)).toEqual([]);
      // The store's reader gets both, T1 first.
      const second = await db.store.readAll({ after: first.checkpoint, limit: 10 });
      expect(second.events.map((e) => (e.data as { label: string }).label)).toEqual(['T1', 'T2']);
      expect(await db.store.readAll({ after: second.checkpoint, limit: 10 })).toEqual({
        events: [],
        checkpoint: second.checkpoint,
      });
    } finally {
      await t1.query('ROLLBACK').catch(() => undefined);
      await t2.query('ROLLBACK').catch(() => undefined);
      t1.release();
      t2.release();
    }
  });

  describe('never skips a committed event under concurrent appends (property)', () => {
    const STREAMS = 5;
    const step = fc.record({
      stream: fc.integer({ min: 0, max: STREAMS - 1 }),
      count: fc.integer({ min: 1, max: 3 }),
      pauseMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
      pauseInDatabase: fc.boolean(),
    });
    const transaction = fc.record({
      steps: fc.array(step, { minLength: 1, maxLength: 3 }),
      pauseBeforeCommitMs: fc.integer({ min: 0, max: 30 }),
      commit: fc.integer({ min: 0, max: 4 }).map((n) => n !== 0), // 1 in 5 rolls back
    });
    const scenario = fc.record({
      writers: fc.array(fc.array(transaction, { minLength: 1, maxLength: 4 }), {
        minLength: 2,
        maxLength: 7,
      }),
      readLimit: fc.integer({ min: 1, max: 8 }),
      readPauseMs: fc.integer({ min: 0, max: 10 }),
    });
    type Transaction = typeof transaction extends fc.Arbitrary<infer T> ? T : never;

    const pause = async (client: PoolClient, ms: number, inDatabase: boolean) => {
      if (ms === 0) return;
      if (inDatabase) await client.query('SELECT pg_sleep($1)', [ms / 1000]);
      else await delay(ms);
    };

    /** Runs one transaction; returns the ids of its events if it committed. */
    const runTransaction = async (prefix: string, tx: Transaction): Promise<string[]> => {
      const client = await db.pool.connect();
      const ids: string[] = [];
      try {
        await client.query('BEGIN');
        // Streams in ascending order, so the per-stream 'any' locks cannot deadlock.
        const steps = [...tx.steps].sort((a, b) => a.stream - b.stream);
        for (const s of steps) {
          const events = Array.from({ length: s.count }, () => {
            const eventId = randomUUID();
            ids.push(eventId);
            return { type: 'Noted', data: {}, metadata: { eventId } };
          });
          await db.store.appendToStream(`${prefix}-${s.stream}`, events, {
            expectedVersion: 'any',
            client,
          });
          await pause(client, s.pauseMs, s.pauseInDatabase);
        }
        await delay(tx.pauseBeforeCommitMs);
        if (!tx.commit) {
          await client.query('ROLLBACK');
          return [];
        }
        await client.query('COMMIT');
        return ids;
      } catch (error) {
        // A transaction-order conflict aborts this transaction: like a rollback.
        if ((error as { code?: string }).code !== 'EVENT_STORE.WRONG_EXPECTED_VERSION') throw error;
        await client.query('ROLLBACK');
        return [];
      } finally {
        client.release();
      }
    };

    it('delivers every committed event exactly once, each stream in version order', async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async ({ writers, readLimit, readPauseMs }) => {
          const prefix = randomUUID();
          const seen: RecordedEvent[] = [];
          let checkpoint: Checkpoint | null = null;
          const readPage = async () => {
            const page = await db.store.readAll({ after: checkpoint, limit: readLimit });
            seen.push(...page.events.filter((e) => e.streamId.startsWith(prefix)));
            checkpoint = page.checkpoint;
            return page.events.length;
          };

          let writing = true;
          const writes = Promise.all(
            writers.map(async (transactions) => {
              const committed: string[] = [];
              for (const tx of transactions) committed.push(...(await runTransaction(prefix, tx)));
              return committed;
            }),
          ).finally(() => {
            writing = false;
          });
          while (writing) {
            await readPage();
            await delay(readPauseMs);
          }
          const committed = (await writes).flat();
          // Drain: every writer has finished, so the watermark passes all of them — once every
          // older transaction in the cluster has ended too (the database is shared with other
          // test files running meanwhile, which may hold one open for a few seconds).
          const drainUntil = Date.now() + 20_000;
          while (Date.now() < drainUntil) {
            if ((await readPage()) === 0 && seen.length >= committed.length) break;
            await delay(10);
          }

          const seenIds = seen.map((e) => e.eventId);
          expect(new Set(seenIds).size).toBe(seenIds.length); // exactly once
          expect([...seenIds].sort()).toEqual([...committed].sort()); // every committed one
          const stored = await db.pool.query<{ n: string }>(
            'SELECT count(*) AS n FROM events WHERE stream_id LIKE $1',
            [`${prefix}-%`],
          );
          expect(Number(stored.rows[0]!.n)).toBe(committed.length);
          const versions = new Map<string, number[]>();
          for (const e of seen)
            versions.set(e.streamId, [...(versions.get(e.streamId) ?? []), e.streamVersion]);
          for (const list of versions.values()) {
            expect(list).toEqual(list.map((_, i) => i + 1)); // 1, 2, 3 … in order, no gap
          }
        }),
        { numRuns: 8, endOnFailure: true },
      );
    });
  });
});
