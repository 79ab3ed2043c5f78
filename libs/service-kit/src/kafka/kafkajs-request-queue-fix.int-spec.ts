import { createRequire } from 'node:module';
import { startTestInfrastructure, type TestInfrastructure } from '@fulfil/testing';
import { Kafka, logLevel } from 'kafkajs';
import { fixKafkajsIdleTimers } from './kafkajs-request-queue-fix';

const RequestQueue = createRequire(__filename)('kafkajs/src/network/requestQueue') as {
  prototype: { checkPendingRequests(): void };
};

describe('fixKafkajsIdleTimers on a real broker', () => {
  let infra: TestInfrastructure;
  let kafka: Kafka;

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    kafka = new Kafka({
      clientId: 'idle-timers-test',
      brokers: infra.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
  });

  afterAll(async () => {
    await infra?.stop();
  });

  it('applies to the installed kafkajs', () => {
    expect(fixKafkajsIdleTimers()).toBe(true);
  });

  it('leaves an idle connection without a timer loop', async () => {
    fixKafkajsIdleTimers();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.listTopics(); // an answer makes the queue check its pending requests
      const checks = jest.spyOn(RequestQueue.prototype, 'checkPendingRequests');
      try {
        await new Promise((done) => setTimeout(done, 300));
        // Unfixed, each open connection checks about once per millisecond (hundreds here).
        expect(checks.mock.calls.length).toBeLessThan(5);
      } finally {
        checks.mockRestore();
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('still sends requests that waited for a free in-flight slot', async () => {
    fixKafkajsIdleTimers();
    const topic = `idle-timers-${Date.now()}`;
    const admin = kafka.admin();
    const producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: true });
    await Promise.all([admin.connect(), producer.connect()]);
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      // One request in flight at a time: the other 19 wait in the queue's pending list.
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          producer.send({ topic, messages: [{ value: `message ${i}` }] }),
        ),
      );
      const [partition] = await admin.fetchTopicOffsets(topic);
      expect(partition?.high).toBe('20');
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
  });
});
