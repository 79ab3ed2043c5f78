// The inbox consumer commits its offsets in the background (PeriodicOffsetCommits), not after
// every batch as kafkajs' autoCommit does, and the last ones when it stops; with asynchronous
// inbox commits, only after a WAL flush on a session that vouches for them, which a PostgreSQL
// crash (on a durable server of this file's own) ends.
import { randomUUID } from 'node:crypto';
import {
  slowWalWriter,
  startDurablePostgres,
  untilACrashTakesBack,
  type DurablePostgres,
} from '@fulfil/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import type { MessagingLogger } from '../shared/backoff';
import {
  appliedCounts,
  createAppliedTable,
  kafkaMessageOf,
  migrate,
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

/**
 * An inbox consumer of `TOPIC` in group `groupId`, the offset commits it sent and the crashes
 * kafkajs reported of it.
 */
async function consumerCommittingEvery(
  groupId: string,
  offsetCommitIntervalMs: number,
  options: {
    pool?: Pool;
    asynchronousCommit?: boolean;
    onCommit?: () => void;
    logger?: MessagingLogger;
    registry?: Registry;
  } = {},
) {
  const commits: unknown[] = [];
  const crashes: unknown[] = [];
  const client = Object.create(testbed.kafka) as Kafka;
  client.consumer = (config) => {
    const created = testbed.kafka.consumer(config);
    created.on(created.events.COMMIT_OFFSETS, ({ payload }) => {
      commits.push(payload);
      options.onCommit?.();
    });
    created.on(created.events.CRASH, ({ payload }) => crashes.push(payload));
    return created;
  };
  const consumer = new InboxConsumer({
    pool: options.pool ?? testbed.pool,
    asynchronousCommit: options.asynchronousCommit,
    logger: options.logger,
    registry: options.registry,
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
  return { consumer, commits, crashes };
}

/** Sends an event and waits until it was applied (in `pool`'s database); its id. */
async function sendApplied(name: string, pool = testbed.pool): Promise<string> {
  const { id, message } = kafkaMessageOf(orderCancelled(name));
  await producer.send({ topic: TOPIC, messages: [message] });
  await waitFor(async () => (await appliedCounts(pool)).has(id), `${name} applied`);
  return id;
}

/** Sends events one at a time, each once the one before was applied: a batch each. */
async function sendOneByOne(count: number, prefix: string): Promise<void> {
  for (let n = 0; n < count; n += 1) await sendApplied(`${prefix}-${n}`);
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

/**
 * A pool on the test database that logs its WAL flushes and can be made to fail them, or every
 * statement (a database that is down).
 */
function interceptedPool(log: string[] = []) {
  const intercepted = new Pool({ connectionString: testbed.infra.postgresUrl, max: 5 });
  const control = { failFlushes: false, failAll: false };
  // On each connection: the consumer flushes on a session of its own, not through the pool.
  intercepted.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    client.query = ((config: unknown, ...rest: unknown[]) => {
      // pool.query passes a callback; a transaction's client awaits the promise.
      const fail = (message: string) => {
        const callback = rest.find((arg) => typeof arg === 'function') as
          ((error: Error) => void) | undefined;
        if (!callback) return Promise.reject(new Error(message));
        process.nextTick(callback, new Error(message));
        return undefined;
      };
      if (control.failAll) return fail('database down (test)');
      if ((config as { name?: string } | undefined)?.name === 'fulfil.flush_wal') {
        log.push('flush');
        if (control.failFlushes) return fail('flush refused (test)');
      }
      return query(config, ...rest);
    }) as typeof client.query;
  });
  return { pool: intercepted, control };
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

  it('goes on committing once kafkajs restarted the consumer after a crash', async () => {
    const { pool: failing, control } = interceptedPool();
    const groupId = 'commits-after-restart';
    const { consumer, crashes } = await consumerCommittingEvery(groupId, 100, { pool: failing });
    try {
      await sendOneByOne(1, 'before-crash');
      // Neither the handler nor the inbox can reach the database: the batch fails, kafkajs
      // retries it, gives up, and starts the consumer again in a new group membership.
      control.failAll = true;
      await producer.send({
        topic: TOPIC,
        messages: [kafkaMessageOf(orderCancelled('x')).message],
      });
      await waitFor(() => crashes.length > 0, 'kafkajs restarting the consumer', 60_000);
      control.failAll = false;
      await sendOneByOne(1, 'after-crash');
      await untilAllCommitted(groupId);
    } finally {
      await consumer.stop();
      await failing.end();
    }
  }, 90_000);

  describe('with asynchronous inbox commits', () => {
    it('flushes the WAL before every offset commit', async () => {
      const log: string[] = [];
      const { pool: logged } = interceptedPool(log);
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
      const { pool: logged, control } = interceptedPool(log);
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

describe('InboxConsumer with asynchronous inbox commits through a PostgreSQL crash', () => {
  let server: DurablePostgres;
  let pool: Pool;
  beforeAll(async () => {
    server = await startDurablePostgres();
    await migrate(server.url);
    pool = new Pool({ connectionString: server.url, max: 5 });
    pool.on('error', () => undefined); // idle connections end with the server
    await createAppliedTable(pool);
    await slowWalWriter(pool); // what the consumer does not flush stays unflushed meanwhile
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  it('handles again an event whose transaction the crash took back, and commits its offset only then', async () => {
    const warnings: string[] = [];
    const registry = new Registry();
    const groupId = 'commits-through-crash';
    const { consumer } = await consumerCommittingEvery(groupId, 2_000, {
      pool,
      asynchronousCommit: true,
      logger: { warn: (message) => warnings.push(message), error: () => undefined },
      registry,
    });
    try {
      // Applied, its offset resolved and not yet committed (every 2 s) when PostgreSQL crashes.
      let lost: string | undefined;
      await untilACrashTakesBack(async () => {
        const id = await sendApplied(`crash-${randomUUID()}`, pool);
        await server.crash();
        await server.restart();
        if (!(await appliedCounts(pool)).has(id)) lost = id;
        return lost !== undefined;
      });

      // A flush on the restarted server would succeed; the consumer's flush session is gone.
      await waitFor(async () => (await appliedCounts(pool)).get(lost!) === 1, 'applied again');
      await untilAllCommitted(groupId);
      expect(warnings.join('\n')).toContain('consuming again from the committed offsets');
      const rewinds = await registry.getSingleMetric('inbox_rewinds_total')!.get();
      expect(rewinds.values[0]?.value).toBeGreaterThanOrEqual(1);
    } finally {
      await consumer.stop();
    }
  }, 120_000);
});
