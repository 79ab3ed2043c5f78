// The inbox consumer commits its offsets in the background (PeriodicOffsetCommits), not after
// every batch as kafkajs' autoCommit does, and the last ones when it stops.
import type { Admin, Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  appliedCounts,
  kafkaMessageOf,
  orderCancelled,
  useInboxTestbed,
  waitFor,
} from '../testing/messaging-test-kit';
import { InboxConsumer } from './inbox-consumer';

const TOPIC = 'committed.events';
const testbed = useInboxTestbed(TOPIC);
let producer: Producer;

beforeAll(async () => {
  producer = testbed.kafka.producer();
  await producer.connect();
});
afterAll(async () => {
  await producer?.disconnect();
});

/** An inbox consumer of `TOPIC` in group `groupId`, and the offset commits it sent. */
async function consumerCommittingEvery(
  groupId: string,
  offsetCommitIntervalMs: number,
  options: { pool?: Pool; asynchronousCommit?: boolean; onCommit?: () => void } = {},
) {
  const commits: unknown[] = [];
  const client = Object.create(testbed.kafka) as Kafka;
  client.consumer = (config) => {
    const created = testbed.kafka.consumer(config);
    created.on(created.events.COMMIT_OFFSETS, ({ payload }) => {
      commits.push(payload);
      options.onCommit?.();
    });
    return created;
  };
  const consumer = new InboxConsumer({
    pool: options.pool ?? testbed.pool,
    asynchronousCommit: options.asynchronousCommit,
    kafka: client,
    groupId,
    topics: [TOPIC],
    offsetCommitIntervalMs,
    handlers: new Map([
      [
        'fulfil.orders.OrderCancelled',
        async (event, envelope, db) => {
          const { orderId } = event.data as { orderId: string };
          await db.query('INSERT INTO applied (event_id, key) VALUES ($1, $2)', [
            envelope.id,
            orderId,
          ]);
        },
      ],
    ]),
  });
  await consumer.start();
  return { consumer, commits };
}

/** Sends events one at a time, each once the one before was applied: a batch each. */
async function sendOneByOne(count: number, prefix: string): Promise<void> {
  for (let n = 0; n < count; n += 1) {
    const { id, message } = kafkaMessageOf(orderCancelled(`${prefix}-${n}`));
    await producer.send({ topic: TOPIC, messages: [message] });
    await waitFor(async () => (await appliedCounts(testbed.pool)).has(id), `event ${n} applied`);
  }
}

async function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testbed.kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

const committedOffset = (groupId: string) =>
  withAdmin(async (admin) => {
    const [topic] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
    return topic?.partitions[0]?.offset;
  });
const endOffset = () =>
  withAdmin(async (admin) => (await admin.fetchTopicOffsets(TOPIC))[0]?.offset);
/** Waits until `groupId` has committed every message sent so far. */
async function untilAllCommitted(groupId: string): Promise<void> {
  const end = await endOffset();
  await waitFor(async () => (await committedOffset(groupId)) === end, 'the offsets committed');
}

describe('InboxConsumer offset commits', () => {
  it('sends none per batch, and commits what was handled when it stops', async () => {
    const { consumer, commits } = await consumerCommittingEvery('commits-at-stop', 60_000);
    try {
      await sendOneByOne(5, 'at-stop');
      expect(commits).toEqual([]); // kafkajs' autoCommit would have sent five
    } finally {
      await consumer.stop();
    }
    expect(commits).toHaveLength(1);
    expect(await committedOffset('commits-at-stop')).toBe(await endOffset());
  });

  it('commits in the background while it runs', async () => {
    const { consumer, commits } = await consumerCommittingEvery('commits-in-background', 100);
    try {
      await sendOneByOne(3, 'background');
      await untilAllCommitted('commits-in-background');
      expect(commits.length).toBeGreaterThan(0);
    } finally {
      await consumer.stop();
    }
  });

  describe('with asynchronous inbox commits', () => {
    /** A pool on the test database that logs its WAL flushes, and can be made to fail them. */
    function flushLoggingPool(log: string[]) {
      const logged = new Pool({ connectionString: testbed.infra.postgresUrl, max: 5 });
      const control = { failFlushes: false };
      const query = logged.query.bind(logged) as (...args: unknown[]) => Promise<unknown>;
      logged.query = ((config: unknown, ...rest: unknown[]) => {
        if ((config as { name?: string } | undefined)?.name === 'fulfil.flush_wal') {
          log.push('flush');
          if (control.failFlushes) return Promise.reject(new Error('flush refused (test)'));
        }
        return query(config, ...rest);
      }) as Pool['query'];
      return { pool: logged, control };
    }

    it('flushes the WAL before every offset commit', async () => {
      const log: string[] = [];
      const { pool: logged } = flushLoggingPool(log);
      const { consumer, commits } = await consumerCommittingEvery('commits-after-flush', 100, {
        pool: logged,
        asynchronousCommit: true,
        onCommit: () => log.push('commit'),
      });
      try {
        await sendOneByOne(3, 'after-flush');
        await untilAllCommitted('commits-after-flush');
      } finally {
        await consumer.stop();
        await logged.end();
      }
      expect(commits.length).toBeGreaterThan(0);
      log.forEach((entry, i) => {
        if (entry === 'commit') expect(log[i - 1]).toBe('flush');
      });
    });

    it('commits no offset while the flush fails', async () => {
      const log: string[] = [];
      const { pool: logged, control } = flushLoggingPool(log);
      control.failFlushes = true;
      const { consumer, commits } = await consumerCommittingEvery('no-commit-unflushed', 50, {
        pool: logged,
        asynchronousCommit: true,
      });
      try {
        await sendOneByOne(2, 'unflushed');
        await waitFor(async () => log.length >= 3, 'flushes tried');
      } finally {
        await consumer.stop();
        await logged.end();
      }
      expect(commits).toEqual([]);
      expect(await committedOffset('no-commit-unflushed')).toBe('-1');
    });
  });
});
