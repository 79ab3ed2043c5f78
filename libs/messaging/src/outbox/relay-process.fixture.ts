/**
 * An outbox relay in a process of its own, for tests that SIGKILL it mid-stream
 * (`relay-recovery.int-spec.ts`). Run with `node --import tsx`:
 *
 *   relay-process.fixture.ts <postgres url> <broker address> <relay name> <batch size>
 *
 * Prints `acked <n>` for every batch the broker acknowledged, before its checkpoint may move
 * (stdout to a pipe is synchronous, so a line is out before the process can be killed past
 * that point), and lingers a little there so a kill often lands between acknowledgement and
 * checkpoint.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { OutboxRelay } from './outbox-relay';

const [postgresUrl, broker, name, batchSize] = process.argv.slice(2);
if (!postgresUrl || !broker || !name || !batchSize) {
  console.error('usage: relay-process.fixture.ts <postgres url> <broker> <name> <batch size>');
  process.exit(2);
}

const relay = new OutboxRelay({
  pool: new Pool({ connectionString: postgresUrl, max: 2 }),
  kafka: new Kafka({
    clientId: `relay-process-${name}`,
    brokers: [broker],
    logLevel: logLevel.NOTHING,
  }),
  name,
  batchSize: Number(batchSize),
  pollIntervalMs: 20,
  logger: { warn: (m) => console.error(m), error: (m) => console.error(m) },
  afterSend: async (batch) => {
    process.stdout.write(`acked ${batch.length}\n`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  },
});
relay.start();
