// A service restarted right after a crash finds its dead predecessor still a member of the
// consumer group: the group cannot rebalance until that member's session times out. The inbox
// consumer's `start()` must not wait that long (the service's HTTP API waits for it), and it
// must consume once the group has rebalanced.
import { join } from 'node:path';
import { startFixtureProcess } from '@fulfil/testing';
import type { Kafka } from 'kafkajs';
import {
  appliedCounts,
  kafkaMessageOf,
  orderCancelled,
  useInboxTestbed,
  waitFor,
} from '../testing/messaging-test-kit';
import { InboxConsumer } from './inbox-consumer';

const MEMBER_PROCESS = join(__dirname, 'group-member-process.fixture.ts');
const TOPIC = 'join.events';
const GROUP = 'join-after-crash';
/** The dead member's session: how long the group waits for it. */
const DEAD_SESSION_MS = 8_000;

const testbed = useInboxTestbed(TOPIC);

/** A member of GROUP in a process of its own, SIGKILLed once it joined: it never leaves. */
async function leaveDeadMember(): Promise<void> {
  const args = [testbed.infra.kafkaBrokers[0]!, GROUP, TOPIC, String(DEAD_SESSION_MS)];
  const member = await startFixtureProcess(MEMBER_PROCESS, args, /^joined$/);
  await member.kill();
}

/** An inbox consumer of GROUP that records each event, its warnings, and whether it joined. */
function joiningConsumer() {
  const state = { joined: false, warnings: [] as string[] };
  const client = Object.create(testbed.kafka) as Kafka;
  client.consumer = (config) => {
    const created = testbed.kafka.consumer(config);
    created.on(created.events.GROUP_JOIN, () => (state.joined = true));
    return created;
  };
  const consumer = new InboxConsumer({
    pool: testbed.pool,
    kafka: client,
    groupId: GROUP,
    topics: [TOPIC],
    joinWaitMs: 1_000,
    sessionTimeoutMs: DEAD_SESSION_MS,
    logger: { warn: (message) => state.warnings.push(message), error: () => undefined },
    handlers: new Map([
      [
        'fulfil.orders.OrderCancelled',
        async (_event, envelope, db) => {
          await db.query('INSERT INTO applied (event_id, key) VALUES ($1, $2)', [
            envelope.id,
            'joined',
          ]);
        },
      ],
    ]),
  });
  return { consumer, state };
}

async function groupMembers(): Promise<number> {
  const admin = testbed.kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([GROUP]);
    return groups[0]?.members.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}

it('start() returns before a dead member lets the group rebalance, and consuming follows', async () => {
  await leaveDeadMember();
  const { consumer, state } = joiningConsumer();
  try {
    await consumer.start();
    expect(state.joined).toBe(false);
    expect(state.warnings).toEqual([expect.stringContaining('not joined its group after 1000 ms')]);

    const { id, message } = kafkaMessageOf(orderCancelled('ord-after-rebalance'));
    const producer = testbed.kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [message] });
    await producer.disconnect();
    await waitFor(
      async () => (await appliedCounts(testbed.pool)).get(id) === 1,
      'the event applied',
    );
    expect(state.joined).toBe(true);
  } finally {
    await consumer.stop();
  }
}, 60_000);

it('stop() while the join goes on leaves no member behind', async () => {
  await leaveDeadMember();
  const { consumer, state } = joiningConsumer();
  await consumer.start();
  expect(state.joined).toBe(false);
  await consumer.stop();
  // The broker keeps a member whose first join was cut off until its session runs out, like
  // the dead one. A consumer that kafkajs started again after its join failed would stay.
  await waitFor(async () => (await groupMembers()) === 0, 'an empty group');
  await new Promise((done) => setTimeout(done, 2_000));
  expect({ joined: state.joined, members: await groupMembers() }).toEqual({
    joined: false,
    members: 0,
  });
}, 60_000);
