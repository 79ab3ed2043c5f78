import { randomUUID } from 'node:crypto';
import { CompressionTypes, type Admin, type Kafka, type Message } from 'kafkajs';
import {
  byPartition,
  consumeMessages,
  fastConsumerConfig,
  type ConsumedMessage,
} from './testing/consume-messages';
import { eventually } from './testing/eventually';
import { startTestBroker, type TestBroker } from './testing/in-process-broker';
import { createKafka } from './testing/kafka-client';
import {
  coversExactly,
  TrackedGroupMember,
  type MemberDelivery,
} from './testing/tracked-group-member';

// kafkajs is the client every service of the platform uses, so this suite is the
// broker's main conformance check: what kafkajs sends must come back as Kafka would.

const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
const BASE_TIME = Date.UTC(2024, 0, 1);

describe('dev broker with kafkajs', () => {
  let testBroker: TestBroker;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    testBroker = await startTestBroker();
    kafka = createKafka(testBroker.address, 'kafkajs-int-spec');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await testBroker?.stop();
  });

  const highWatermarkTotal = async (topic: string): Promise<number> =>
    (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);

  describe('producing and consuming', () => {
    it('returns every message with key, value, headers and timestamp intact, in order per partition, for acks -1, 1 and 0', async () => {
      const topic = uniqueName('plain');
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
      const producer = kafka.producer();
      await producer.connect();
      const sent: Message[] = [];
      let seq = 0;
      for (const acks of [-1, 1, 0]) {
        for (let batch = 0; batch < 5; batch++) {
          const messages = Array.from({ length: 10 }, () => {
            const n = seq++;
            return {
              key: `key-${n % 7}`,
              value: `value-${n}`,
              timestamp: String(BASE_TIME + n * 1_000),
              headers: { seq: String(n), acks: String(acks), 'trace-id': randomUUID() },
            };
          });
          const metadata = await producer.send({ topic, acks, messages });
          sent.push(...messages);
          // With acks 0 the broker sends no response, so there is nothing to check here.
          if (acks !== 0) expect(metadata.every((m) => m.errorCode === 0)).toBe(true);
        }
      }
      await producer.disconnect();

      const received = await consumeMessages(kafka, {
        topic,
        groupId: uniqueName('plain-reader'),
        count: sent.length,
      });

      const expected = new Map(sent.map((m) => [String(m.value), m]));
      expect(received.map((m) => m.value).sort()).toEqual([...expected.keys()].sort());
      for (const message of received) {
        const original = expected.get(String(message.value));
        expect({
          key: message.key,
          timestamp: message.timestamp,
          headers: message.headers,
        }).toEqual({
          key: original?.key,
          timestamp: original?.timestamp,
          headers: original?.headers,
        });
      }
      for (const [partition, messages] of byPartition(received)) {
        // Sends were awaited one by one, so each partition must hold them in send order
        // and the broker must have given consecutive offsets from 0.
        const seqs = messages.map((m) => Number(m.headers.seq));
        expect({ partition, seqs }).toEqual({ partition, seqs: [...seqs].sort((a, b) => a - b) });
        expect(messages.map((m) => Number(m.offset))).toEqual(messages.map((_, i) => i));
      }
      // The client picks one partition per key; the broker must store each batch where it
      // was sent. Seven keys over three partitions also keep the order checks above non-vacuous.
      const partitionsPerKey = new Map<string | null, Set<number>>();
      for (const m of received)
        partitionsPerKey.set(m.key, (partitionsPerKey.get(m.key) ?? new Set()).add(m.partition));
      expect([...partitionsPerKey.values()].every((partitions) => partitions.size === 1)).toBe(
        true,
      );
      expect(byPartition(received).size).toBe(3);
      expect(await highWatermarkTotal(topic)).toBe(sent.length);
    });

    it('assigns offsets to every record of a gzip batch and round-trips a 900 KiB record', async () => {
      const topic = uniqueName('gzip');
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      const compressed = Array.from({ length: 50 }, (_, i) => ({ key: 'z', value: `zipped-${i}` }));
      await producer.send({ topic, compression: CompressionTypes.GZIP, messages: compressed });
      // The next offset must follow the 50 records inside the compressed batch, not count it as one.
      const [afterBatch] = await producer.send({ topic, messages: [{ value: 'plain' }] });
      const big = Buffer.alloc(900 * 1024, 'x');
      await producer.send({ topic, messages: [{ value: big }] });
      await producer.disconnect();

      expect(afterBatch.baseOffset).toBe('50');
      const received = await consumeMessages(kafka, {
        topic,
        groupId: uniqueName('gzip-r'),
        count: 52,
      });
      expect(received.map((m) => m.offset)).toEqual(
        Array.from({ length: 52 }, (_, i) => String(i)),
      );
      expect(received.slice(0, 51).map((m) => m.value)).toEqual([
        ...compressed.map((m) => m.value),
        'plain',
      ]);
      expect(received[51].value).toBe(big.toString());
    });

    it('stores an idempotent producer’s messages exactly once, on an auto-created topic', async () => {
      const topic = uniqueName('idempotent');
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const ids: string[] = [];
      for (let batch = 0; batch < 20; batch++) {
        const messages = Array.from({ length: 25 }, (_, i) => ({
          key: `k${i}`,
          value: `id-${batch}-${i}`,
        }));
        await producer.send({ topic, acks: -1, messages });
        ids.push(...messages.map((m) => m.value));
      }
      await producer.disconnect();

      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0].partitions).toHaveLength(3);
      const received = await consumeMessages(kafka, {
        topic,
        groupId: uniqueName('idem-reader'),
        count: ids.length,
      });
      expect(received.map((m) => m.value).sort()).toEqual([...ids].sort());
      expect(await highWatermarkTotal(topic)).toBe(ids.length);
    });
  });

  describe('consumer groups', () => {
    it('spreads partitions over 3 members, moves a leaving member’s partitions to the others, and delivers each message once', async () => {
      const topic = uniqueName('group');
      const groupId = uniqueName('group-g');
      const partitionCount = 6;
      await admin.createTopics({ topics: [{ topic, numPartitions: partitionCount }] });
      const deliveries: MemberDelivery[] = [];
      const members = ['a', 'b', 'c'].map(
        (name) => new TrackedGroupMember(kafka, name, groupId, topic, deliveries),
      );
      const produceBatch = async (label: string, count: number): Promise<string[]> => {
        const producer = kafka.producer();
        await producer.connect();
        const values = Array.from({ length: count }, (_, i) => `${label}-${i}`);
        await producer.send({
          topic,
          messages: values.map((value, i) => ({ value, partition: i % partitionCount })),
        });
        await producer.disconnect();
        return values;
      };
      const deliveredValues = (): string[] => deliveries.map((d) => d.value);

      try {
        for (const member of members) await member.start();
        await eventually('3 members share all 6 partitions', () =>
          coversExactly(members, partitionCount),
        );
        expect(members.map((m) => m.assignment.length)).toEqual([2, 2, 2]);

        const before = await produceBatch('before', 60);
        await eventually('every message produced before the rebalance is consumed', () =>
          before.every((v) => deliveredValues().includes(v)),
        );
        for (const delivery of deliveries) {
          const owner = members.find((m) => m.name === delivery.member);
          expect({ delivery, owned: owner?.assignment.includes(delivery.partition) }).toEqual({
            delivery,
            owned: true,
          });
        }

        const leaving = members[2];
        const orphaned = leaving.assignment;
        await leaving.stop();
        const remaining = members.slice(0, 2);
        await eventually('the 2 remaining members take over all 6 partitions', () =>
          coversExactly(remaining, partitionCount),
        );
        const takenOver = remaining.flatMap((m) => m.assignment);
        expect(orphaned.every((p) => takenOver.includes(p))).toBe(true);
        expect(remaining.map((m) => m.assignment.length)).toEqual([3, 3]);

        const after = await produceBatch('after', 60);
        await eventually('every message produced after the rebalance is consumed', () =>
          after.every((v) => deliveredValues().includes(v)),
        );
        const lateDeliveries = deliveries.filter((d) => d.value.startsWith('after-'));
        expect(lateDeliveries.every((d) => d.member !== leaving.name)).toBe(true);

        // Exactly once per group: see the commit-per-message comment in TrackedGroupMember.
        const counts = new Map<string, number>();
        for (const value of deliveredValues()) counts.set(value, (counts.get(value) ?? 0) + 1);
        expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
        expect(counts.size).toBe(120);

        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        expect(committed[0].partitions.map((p) => [p.partition, p.offset]).sort()).toEqual(
          Array.from({ length: partitionCount }, (_, p) => [p, '20']),
        );
      } finally {
        await Promise.all(members.map((m) => m.stop()));
      }
    });
  });

  describe('admin', () => {
    it('creates a topic once, reports its metadata and deletes it with its data', async () => {
      const topic = uniqueName('admin-topic');
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })).toBe(false);
      expect(await admin.listTopics()).toContain(topic);

      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics).toHaveLength(1);
      expect(metadata.topics[0].name).toBe(topic);
      expect(
        metadata.topics[0].partitions
          .map((p) => [p.partitionId, p.leader, p.partitionErrorCode])
          .sort(),
      ).toEqual([
        [0, testBroker.broker.nodeId, 0],
        [1, testBroker.broker.nodeId, 0],
      ]);

      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'doomed', partition: 0 }] });
      await producer.disconnect();

      await admin.deleteTopics({ topics: [topic] });
      expect(await admin.listTopics()).not.toContain(topic);
      // A topic created again under the same name starts empty: no records survive deletion.
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })).toBe(true);
      expect(
        (await admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({
          partition,
          low,
          high,
        })),
      ).toEqual([{ partition: 0, low: '0', high: '0' }]);
    });

    it('reports low and high offsets per partition after producing', async () => {
      const topic = uniqueName('offsets');
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic,
        messages: [
          ...Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `p0-${i}` })),
          ...Array.from({ length: 3 }, (_, i) => ({ partition: 1, value: `p1-${i}` })),
        ],
      });
      await producer.disconnect();

      const offsets = await admin.fetchTopicOffsets(topic);
      expect(
        offsets
          .map(({ partition, low, high }) => ({ partition, low, high }))
          .sort((a, b) => a.partition - b.partition),
      ).toEqual([
        { partition: 0, low: '0', high: '5' },
        { partition: 1, low: '0', high: '3' },
      ]);
    });

    it('finds the first offset at or after a timestamp', async () => {
      const topic = uniqueName('by-time');
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      // Offsets 0..3 carry timestamps base, base+1s, base+2s, base+3s.
      await producer.send({
        topic,
        messages: [0, 1, 2, 3].map((i) => ({
          value: `t${i}`,
          timestamp: String(BASE_TIME + i * 1_000),
        })),
      });
      await producer.disconnect();

      const offsetAt = async (timestamp: number): Promise<string> =>
        (await admin.fetchTopicOffsetsByTimestamp(topic, timestamp))[0].offset;
      expect(await offsetAt(BASE_TIME - 60_000)).toBe('0');
      expect(await offsetAt(BASE_TIME + 1_000)).toBe('1');
      expect(await offsetAt(BASE_TIME + 1_500)).toBe('2');
      expect(await offsetAt(BASE_TIME + 3_000)).toBe('3');
      // Past the last record Kafka answers -1, which kafkajs turns into the high watermark.
      expect(await offsetAt(BASE_TIME + 60_000)).toBe('4');
    });

    it('fetches, sets and resets a group’s committed offsets', async () => {
      const topic = uniqueName('group-offsets');
      const groupId = uniqueName('offsets-g');
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
      const produce = async (values: string[]): Promise<void> => {
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({
          topic,
          messages: values.map((value, i) => ({ value, partition: i % 2 })),
        });
        await producer.disconnect();
      };
      const committed = async (): Promise<Array<[number, string]>> =>
        (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions
          .map((p): [number, string] => [p.partition, p.offset])
          .sort((a, b) => a[0] - b[0]);
      const values = (messages: ConsumedMessage[]): Array<string | null> =>
        messages.map((m) => m.value).sort();

      await produce(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
      expect(await committed()).toEqual([
        [0, '-1'],
        [1, '-1'],
      ]);
      await consumeMessages(kafka, { topic, groupId, count: 8 });
      expect(await committed()).toEqual([
        [0, '4'],
        [1, '4'],
      ]);

      await admin.setOffsets({
        groupId,
        topic,
        partitions: [
          { partition: 0, offset: '2' },
          { partition: 1, offset: '3' },
        ],
      });
      expect(await committed()).toEqual([
        [0, '2'],
        [1, '3'],
      ]);
      // Partition 0 holds m0 m2 m4 m6 and partition 1 holds m1 m3 m5 m7.
      expect(values(await consumeMessages(kafka, { topic, groupId, count: 3 }))).toEqual([
        'm4',
        'm6',
        'm7',
      ]);

      // kafkajs resets by committing the sentinels -2 (earliest) or -1 (latest); a consumer
      // that finds a negative committed offset starts where its subscription's fromBeginning
      // says. So each check below is chosen such that only a stored reset changes the result
      // compared with the offsets committed before (4 and 4: the end of both partitions).
      await admin.resetOffsets({ groupId, topic, earliest: true });
      const reread = await consumeMessages(kafka, {
        topic,
        groupId,
        count: 8,
        fromBeginning: true,
      });
      expect(values(reread)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);

      await produce(['skipped0', 'skipped1']);
      await admin.resetOffsets({ groupId, topic, earliest: false });
      const consumer = kafka.consumer({ groupId, ...fastConsumerConfig });
      const seen: string[] = [];
      let fetched = false;
      consumer.on(consumer.events.FETCH, () => (fetched = true));
      try {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: false });
        await consumer.run({
          eachMessage: async ({ message }) => void seen.push(String(message.value)),
        });
        // Producing only after the first fetch keeps "latest" from meaning "after n0, n1".
        await eventually('the consumer has resolved its start offsets and fetched', () => fetched);
        await produce(['n0', 'n1']);
        await eventually('both new messages arrive', () => seen.length >= 2);
        expect(seen.sort()).toEqual(['n0', 'n1']);
      } finally {
        await consumer.disconnect();
      }
    });

    it('describes, lists and deletes groups, refusing to delete one with an active member', async () => {
      const topic = uniqueName('groups-admin');
      const groupId = uniqueName('described-g');
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'one' }] });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId, ...fastConsumerConfig });
      let memberId = '';
      let consumed = 0;
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => (memberId = payload.memberId));
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ eachMessage: async () => void consumed++ });
        await eventually('the member consumed the message', () => consumed === 1);

        const active = (await admin.describeGroups([groupId])).groups[0];
        expect(active).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer' });
        expect(active.members.map((m) => [m.memberId, m.clientId])).toEqual([
          [memberId, 'kafkajs-int-spec'],
        ]);
        expect((await admin.listGroups()).groups).toContainEqual({
          groupId,
          protocolType: 'consumer',
        });

        const refusal = await admin.deleteGroups([groupId]).then(
          () => undefined,
          (error: { groups?: Array<{ groupId: string; errorCode: number }> }) => error,
        );
        expect(refusal?.groups).toEqual([expect.objectContaining({ groupId, errorCode: 68 })]); // NON_EMPTY_GROUP
      } finally {
        await consumer.disconnect();
      }

      expect((await admin.describeGroups([groupId])).groups[0]).toMatchObject({
        state: 'Empty',
        members: [],
      });
      expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions[0].offset).toBe(
        '1',
      );
      expect(await admin.deleteGroups([groupId])).toEqual([
        expect.objectContaining({ groupId, errorCode: 0 }),
      ]);
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
      // Deleting a group also deletes its committed offsets.
      expect((await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions[0].offset).toBe(
        '-1',
      );
    });
  });
});
