import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { consumeMessages } from './testing/consume-messages';
import { eventually } from './testing/eventually';
import { startTestBroker, type TestBroker } from './testing/in-process-broker';
import { createKafka } from './testing/kafka-client';
import { assertKcatInstalled, runKcat, startKcat } from './testing/kcat';

// kcat runs on librdkafka, a second independent client implementation: it negotiates
// versions, flexible encodings and group protocol details differently from kafkajs, so
// the broker must satisfy both for librdkafka-based tools to work against it.

const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

interface KcatMetadata {
  brokers: Array<{ id: number; name: string }>;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }>;
}

describe('dev broker with kcat (librdkafka)', () => {
  let testBroker: TestBroker;
  let kafka: Kafka;
  let admin: Admin;
  const kcat = (...args: string[]): string[] => ['-b', testBroker.address, ...args];

  beforeAll(async () => {
    assertKcatInstalled();
    testBroker = await startTestBroker();
    kafka = createKafka(testBroker.address, 'kcat-int-spec');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await testBroker?.stop();
  });

  const produceWithKafkajs = async (
    topic: string,
    messages: Array<{ key: string; value: string }>,
  ): Promise<void> => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages });
    await producer.disconnect();
  };

  it('lists the broker and its topics with -L -J', async () => {
    const topic = uniqueName('kcat-meta');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });

    const result = await runKcat(kcat('-L', '-J'));

    expect(result).toMatchObject({ code: 0 }); // on failure Jest prints kcat's stderr too
    const metadata = JSON.parse(result.stdout) as KcatMetadata;
    const { nodeId, port } = testBroker.broker;
    expect(metadata.brokers).toEqual([{ id: nodeId, name: `127.0.0.1:${port}` }]);
    const listed = metadata.topics.find((t) => t.topic === topic);
    expect(listed?.partitions.map((p) => [p.partition, p.leader]).sort()).toEqual([
      [0, nodeId],
      [1, nodeId],
    ]);
  });

  it('produces keyed lines with -P -K: that kafkajs reads back', async () => {
    const topic = uniqueName('kcat-produce');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const lines = Array.from({ length: 20 }, (_, i) => `key-${i}:value-${i}`);

    const result = await runKcat(kcat('-P', '-t', topic, '-K:'), `${lines.join('\n')}\n`);

    expect(result).toMatchObject({ code: 0 });
    const received = await consumeMessages(kafka, {
      topic,
      groupId: uniqueName('kcat-produce-g'),
      count: 20,
    });
    expect(received.map((m) => `${m.key}:${m.value}`).sort()).toEqual([...lines].sort());
  });

  it('reads with -C -e -o beginning what kafkajs produced, in order', async () => {
    const topic = uniqueName('kcat-consume');
    // One partition, so kcat's output order must be exactly the send order.
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await produceWithKafkajs(topic, messages);

    const result = await runKcat(
      kcat('-C', '-t', topic, '-e', '-q', '-o', 'beginning', '-f', '%k=%s\\n'),
    );

    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(
      messages.map((m) => `${m.key}=${m.value}`),
    );
  });

  it('consumes as a -G group member and commits the offsets it consumed', async () => {
    const topic = uniqueName('kcat-group');
    const groupId = uniqueName('kcat-g');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await produceWithKafkajs(topic, messages);

    // -e does not apply to -G, so the test stops kcat itself once everything arrived;
    // -u because kcat's stdout into a pipe is block-buffered and would arrive only at exit.
    const member = startKcat(
      kcat(
        '-G',
        groupId,
        '-o',
        'beginning',
        '-q',
        '-u',
        '-f',
        '%k=%s\\n',
        '-X',
        'auto.commit.interval.ms=200',
        topic,
      ),
    );
    try {
      await eventually(
        () =>
          `kcat printed 20 messages; it printed ${member.lines().length}, stderr: ${member.stderr()}`,
        () => member.lines().length >= 20,
      );
      expect([...member.lines()].sort()).toEqual(messages.map((m) => `${m.key}=${m.value}`).sort());

      const group = (await admin.describeGroups([groupId])).groups[0];
      expect(group).toMatchObject({ state: 'Stable', protocolType: 'consumer' });
      expect(group.members).toHaveLength(1);

      const committedTotal = async (): Promise<number> =>
        (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions.reduce(
          (sum, p) => sum + Math.max(0, Number(p.offset)),
          0,
        );
      await eventually(
        'kcat committed offsets for all 20 messages',
        async () => (await committedTotal()) === 20,
      );
      const high = await admin.fetchTopicOffsets(topic);
      const committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions;
      expect(committed.map((p) => [p.partition, p.offset]).sort()).toEqual(
        high.map((p) => [p.partition, p.high]).sort(),
      );
    } finally {
      await member.stop();
    }
  });

  it('lets kafkajs read what kcat produced and kcat read what kafkajs produced on one topic', async () => {
    const topic = uniqueName('kcat-mixed');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await produceWithKafkajs(topic, [{ key: 'from', value: 'kafkajs' }]);
    const produced = await runKcat(kcat('-P', '-t', topic, '-K:'), 'from:kcat\n');
    expect(produced).toMatchObject({ code: 0 });

    const viaKcat = await runKcat(
      kcat('-C', '-t', topic, '-e', '-q', '-o', 'beginning', '-f', '%k=%s\\n'),
    );
    expect(viaKcat.stdout.split('\n').filter(Boolean)).toEqual(['from=kafkajs', 'from=kcat']);
    const viaKafkajs = await consumeMessages(kafka, {
      topic,
      groupId: uniqueName('kcat-mixed-g'),
      count: 2,
    });
    expect(viaKafkajs.map((m) => `${m.key}=${m.value}`)).toEqual(['from=kafkajs', 'from=kcat']);
  });
});
