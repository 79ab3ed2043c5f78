import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventStore } from '@fulfil/event-store';
import { freePort } from '@fulfil/testing';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { InboxConsumer } from '../inbox/inbox-consumer';
import {
  collectTopic,
  createAppliedTable,
  header,
  kafkaClient,
  NOW,
  orderCancelled,
  useMigratedDatabase,
  waitFor,
} from '../testing/messaging-test-kit';
import { enqueueIntegrationEvents } from './enqueue';
import { OutboxRelay } from './outbox-relay';

// The development broker runs as a child process (its command line), so the test can kill it
// (one process: `node --import tsx`, no wrapper) with SIGKILL and start it again on the same port and data directory.
const ROOT = resolve(__dirname, '../../../..');
const CLI = join(ROOT, 'libs/dev-broker/src/cli.ts');

const database = useMigratedDatabase(10);
let pool: Pool;
let dataDir: string;
let port: number;
let broker: ChildProcess | undefined;

function startBrokerProcess(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--port', String(port), '--data-dir', dataDir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolveReady, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Kafka development broker ready')) resolveReady(child);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`broker exited (${code}): ${output}`)));
  });
}

function killBroker(): Promise<void> {
  const child = broker;
  broker = undefined;
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  pool = database.pool;
  await createAppliedTable(pool);
  dataDir = await mkdtemp(join(tmpdir(), 'messaging-broker-'));
  port = await freePort();
  broker = await startBrokerProcess();
});
afterAll(async () => {
  await killBroker();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('delivers every event, in order per key, across a broker kill and restart', async () => {
  const kafka: Kafka = kafkaClient([`127.0.0.1:${port}`]);
  const store = new EventStore(pool);
  const topic = 'restart.events';
  const keys = ['ord-r0', 'ord-r1', 'ord-r2', 'ord-r3'];
  const sentPerKey = new Map<string, string[]>(keys.map((k) => [k, []]));
  let sequence = 0;
  const log: string[] = [];
  async function enqueueSome(transactions: number) {
    for (let t = 0; t < transactions; t += 1) {
      await store.withTransaction(async (client) => {
        await store.appendToStream('restart-stream', [{ type: 'Tick', data: {} }], {
          expectedVersion: 'any',
          client,
        });
        const events = [0, 1].map(() => {
          const key = keys[sequence % keys.length]!;
          const number = `F-${String(sequence++).padStart(4, '0')}`;
          sentPerKey.get(key)!.push(number);
          return { event: orderCancelled(key, number) };
        });
        await enqueueIntegrationEvents(client, events, {
          correlationId: 'corr-restart',
          time: NOW,
          topic,
        });
      });
    }
  }

  const relay = new OutboxRelay({
    pool,
    kafka: kafkaClient([`127.0.0.1:${port}`], 2), // gives up quickly: the relay's backoff takes over
    name: 'restart',
    batchSize: 7,
    pollIntervalMs: 20,
    backoff: { initialMs: 50, maxMs: 500 },
    logger: { warn: (m) => log.push(`relay: ${m}`), error: (m) => log.push(`relay: ${m}`) },
  });
  const consumer = new InboxConsumer({
    pool,
    kafka,
    groupId: 'restart-test',
    logger: { warn: (m) => log.push(`consumer: ${m}`), error: (m) => log.push(`consumer: ${m}`) },
    topics: [topic],
    handlers: new Map([
      [
        'fulfil.orders.OrderCancelled.v1',
        async (event, envelope, client) => {
          const data = event.data as { orderId: string; orderNumber: string };
          await client.query('INSERT INTO applied (event_id, key) VALUES ($1, $2)', [
            envelope.id,
            `${data.orderId}/${data.orderNumber}`,
          ]);
        },
      ],
    ]),
  });
  try {
    relay.start();
    await enqueueSome(10);
    await consumer.start();
    await waitFor(async () => {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM applied');
      return rows[0].n > 0;
    }, 'the first events to flow');

    await killBroker();
    await enqueueSome(10); // while the broker is down
    // Keep it down until the relay itself saw a send fail (past kafkajs' own retries), so
    // the relay's backoff-and-retry path is what carries the stream over the outage.
    await waitFor(() => log.some((line) => line.startsWith('relay:')), 'a relay send failure');
    broker = await startBrokerProcess();
    await enqueueSome(10);

    const total = sequence;
    await waitFor(
      async () => {
        const { rows } = await pool.query('SELECT count(DISTINCT event_id)::int AS n FROM applied');
        return rows[0].n === total;
      },
      `all ${total} events applied`,
      60_000,
    ).catch(async (error) => {
      const state = await pool.query(
        `SELECT (SELECT count(DISTINCT event_id) FROM applied)::int AS applied,
                (SELECT position FROM outbox_relay_checkpoints) AS relayed,
                (SELECT max(position) FROM outbox) AS enqueued`,
      );
      throw new Error(
        `${(error as Error).message}: ${JSON.stringify(state.rows[0])}\n${log.slice(-20).join('\n')}`,
      );
    });
    const { rows } = await pool.query<{ event_id: string; key: string }>(
      'SELECT event_id, key FROM applied ORDER BY seq',
    );
    expect(rows).toHaveLength(total); // each applied once
    const appliedPerKey = new Map<string, string[]>(keys.map((k) => [k, []]));
    for (const row of rows) {
      const [key, number] = row.key.split('/') as [string, string];
      appliedPerKey.get(key)!.push(number);
    }
    expect(appliedPerKey).toEqual(sentPerKey);

    // On the topic itself, the first copy of each event per key is in enqueue order too.
    const collector = await collectTopic(kafka, [topic]);
    await waitFor(
      () => new Set(collector.messages.map((m) => header(m, 'ce_id'))).size === total,
      'the topic',
    );
    await collector.stop();
    const firstSeen = new Map<string, string[]>(keys.map((k) => [k, []]));
    const seen = new Set<string>();
    for (const message of collector.messages) {
      const id = header(message, 'ce_id')!;
      if (seen.has(id)) continue;
      seen.add(id);
      const data = JSON.parse(String(message.value)) as { orderId: string; orderNumber: string };
      firstSeen.get(data.orderId)!.push(data.orderNumber);
    }
    expect(firstSeen).toEqual(sentPerKey);
    expect(relay.isActive).toBe(true);
  } finally {
    await relay.stop();
    await consumer.stop();
  }
});
