/**
 * A consumer-group member in a process of its own, for tests that SIGKILL it to leave a dead
 * member in the group (`inbox-consumer-join.int-spec.ts`). Run with `node --import tsx`:
 *
 *   group-member-process.fixture.ts <broker address> <group> <topic> <session timeout ms>
 *
 * Prints `joined` once it is a member of the group, then consumes (and ignores) until killed.
 */
import { Kafka, logLevel } from 'kafkajs';

const [broker, groupId, topic, sessionTimeout] = process.argv.slice(2);
if (!broker || !groupId || !topic || !sessionTimeout) {
  console.error('usage: group-member-process.fixture.ts <broker> <group> <topic> <session ms>');
  process.exit(2);
}

const kafka = new Kafka({ clientId: 'dead-member', brokers: [broker], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId, sessionTimeout: Number(sessionTimeout) });
consumer.on(consumer.events.GROUP_JOIN, () => console.log('joined'));
void (async () => {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });
})();
