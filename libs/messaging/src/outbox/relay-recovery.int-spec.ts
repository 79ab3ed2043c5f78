import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { KafkaJSError, type Kafka, type Producer } from 'kafkajs';
import type { Pool } from 'pg';
import {
  collectTopic,
  header,
  kafkaClient,
  NOW,
  orderCancelled,
  useMigratedDatabase,
  waitFor,
} from '../testing/messaging-test-kit';
import { enqueueIntegrationEvents } from './enqueue';
import { OutboxRelay, type OutboxMessage } from './outbox-relay';

// Read-ahead, pipelined checkpoints and crashes: the relay loses nothing, its checkpoint never
// gets ahead of what the broker acknowledged, and copies on the topic are re-sends only.
const ROOT = resolve(__dirname, '../../../..');
const RELAY_PROCESS = join(__dirname, 'relay-process.fixture.ts');

const database = useMigratedDatabase(10);
let pool: Pool;
let kafka: Kafka;
const stops: (() => Promise<unknown>)[] = [];

beforeAll(() => {
  pool = database.pool;
  kafka = kafkaClient(database.infra.kafkaBrokers);
});
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

const KEYS = ['ord-a', 'ord-b', 'ord-c', 'ord-d'];

/** `transactions` × `perTransaction` OrderCancelled events on `topic`, keys round-robin. */
async function enqueue(topic: string, transactions: number, perTransaction: number) {
  const ids: string[] = [];
  for (let t = 0; t < transactions; t += 1) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const events = Array.from({ length: perTransaction }, (_, i) => {
        const n = t * perTransaction + i;
        return { event: orderCancelled(KEYS[n % KEYS.length]!, `F-${String(n).padStart(5, '0')}`) };
      });
      const enqueued = await enqueueIntegrationEvents(client, events, {
        correlationId: 'corr-recovery',
        time: NOW,
        topic,
      });
      await client.query('COMMIT');
      ids.push(...enqueued.map((e) => e.messageId));
    } finally {
      client.release();
    }
  }
  return ids;
}

/** The stored checkpoint of `relay`, as the (transaction id, position) pair; null when none. */
async function storedCheckpoint(relay: string): Promise<[bigint, bigint] | null> {
  const { rows } = await pool.query<{ transaction_id: string; position: string }>(
    `SELECT transaction_id::text, position::text FROM outbox_relay_checkpoints WHERE relay = $1`,
    [relay],
  );
  return rows[0] ? [BigInt(rows[0].transaction_id), BigInt(rows[0].position)] : null;
}

function isAtOrBefore(checkpoint: [bigint, bigint] | null, row: OutboxMessage): boolean {
  if (!checkpoint) return false;
  const [tx, position] = [BigInt(row.transactionId), BigInt(row.position)];
  return checkpoint[0] > tx || (checkpoint[0] === tx && checkpoint[1] >= position);
}

/** Message ids of the rows at or before `relay`'s stored checkpoint. */
async function idsCoveredBy(relay: string, topic: string): Promise<Set<string>> {
  const { rows } = await pool.query<{ message_id: string }>(
    `SELECT o.message_id::text FROM outbox o JOIN outbox_relay_checkpoints c ON c.relay = $1
      WHERE o.topic = $2 AND (o.transaction_id, o.position) <= (c.transaction_id, c.position)`,
    [relay, topic],
  );
  return new Set(rows.map((r) => r.message_id));
}

/** How often each ce_id is on the topic, and the order numbers per key in first-copy order. */
function summarize(messages: Awaited<ReturnType<typeof collectTopic>>['messages']) {
  const copies = new Map<string, number>();
  const firstCopiesPerKey = new Map<string, string[]>(KEYS.map((k) => [k, []]));
  for (const message of messages) {
    const id = header(message, 'ce_id')!;
    const seen = copies.get(id) ?? 0;
    copies.set(id, seen + 1);
    if (seen > 0) continue;
    const data = JSON.parse(String(message.value)) as { orderId: string; orderNumber: string };
    firstCopiesPerKey.get(data.orderId)!.push(data.orderNumber);
  }
  return { copies, firstCopiesPerKey };
}

/** A client whose producers' `sendBatch` number `failAt` reaches the broker but then fails. */
function kafkaLosingAnAcknowledgement(failAt: number) {
  const failed: string[][] = [];
  let sends = 0;
  const wrapped = Object.create(kafka) as Kafka;
  wrapped.producer = (config) => {
    const producer: Producer = kafka.producer(config);
    const sendBatch = producer.sendBatch.bind(producer);
    producer.sendBatch = async (batch) => {
      const result = await sendBatch(batch);
      sends += 1;
      if (sends === failAt) {
        failed.push(
          batch.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.headers!.ce_id))),
        );
        throw new KafkaJSError('injected: the acknowledgement was lost', { retriable: false });
      }
      return result;
    };
    return producer;
  };
  return { kafka: wrapped, failed };
}

it('re-reads from the checkpoint after a send fails with the next page already read; nothing lost, checkpoint never ahead', async () => {
  const topic = 'readahead.events';
  const ids = await enqueue(topic, 10, 5); // 50 rows, batches of 10: every page is full
  const { kafka: failing, failed } = kafkaLosingAnAcknowledgement(3);
  const acknowledged: OutboxMessage[][] = [];
  const aheadOfAcknowledged: string[] = [];
  const relay = new OutboxRelay({
    pool,
    kafka: failing,
    name: 'readahead',
    batchSize: 10,
    pollIntervalMs: 20,
    backoff: { initialMs: 20, maxMs: 50 },
    afterSend: async (batch) => {
      // Acknowledged, not yet checkpointed: the stored checkpoint must be before this batch
      // (the next page, read meanwhile, must not have moved it either).
      const stored = await storedCheckpoint('readahead');
      if (isAtOrBefore(stored, batch[0]!)) aheadOfAcknowledged.push(batch[0]!.messageId);
      acknowledged.push([...batch]);
    },
  });
  relay.start();
  stops.push(() => relay.stop());
  const collector = await collectTopic(kafka, [topic]);
  stops.push(collector.stop);

  await waitFor(
    () => new Set(acknowledged.flat().map((m) => m.messageId)).size === ids.length,
    'every row acknowledged',
  );
  await waitFor(
    () => collector.messages.length >= ids.length + failed.flat().length,
    'every row and the re-sent batch on the topic',
  );

  expect(failed).toHaveLength(1);
  expect(failed[0]).toEqual(ids.slice(20, 30));
  // After the failure the relay read again from the stored checkpoint (after batch 2), not
  // from the page it had read ahead (batch 4): the failed batch came next.
  expect(acknowledged.map((batch) => batch[0]!.messageId)).toEqual(
    [0, 10, 20, 30, 40].map((i) => ids[i]),
  );
  expect(aheadOfAcknowledged).toEqual([]);
  const { copies, firstCopiesPerKey } = summarize(collector.messages);
  expect(ids.filter((id) => copies.get(id) === undefined)).toEqual([]);
  // The batch whose acknowledgement was lost is on the topic twice; nothing else is.
  const copied = [...copies].filter(([, n]) => n > 1).map(([id]) => id);
  expect(copied.sort()).toEqual([...failed[0]!].sort());
  expect(firstCopiesPerKey).toEqual(
    new Map(
      KEYS.map((k, i) => [
        k,
        ids
          .map((_, n) => n)
          .filter((n) => n % 4 === i)
          .map((n) => `F-${String(n).padStart(5, '0')}`),
      ]),
    ),
  );
  // Caught up: the checkpoint stands on the last row.
  await waitFor(
    async () => (await idsCoveredBy('readahead', topic)).size === ids.length,
    'the final checkpoint',
  );
  expect(relay.isActive).toBe(true);
});

function startRelayProcess(name: string, batchSize: number) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      RELAY_PROCESS,
      database.infra.postgresUrl,
      database.infra.kafkaBrokers[0]!,
      name,
      String(batchSize),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const state = { acked: 0, stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const match of chunk.toString().matchAll(/^acked (\d+)$/gm))
      state.acked += Number(match[1]);
  });
  child.stderr!.on('data', (chunk: Buffer) => (state.stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  stops.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return { child, state, exited };
}

it('a relay process SIGKILLed mid-stream: its successor publishes everything, copies are re-sends after the checkpoint only', async () => {
  const topic = 'killed.events';
  const ids = await enqueue(topic, 100, 20); // 2000 rows
  const collector = await collectTopic(kafka, [topic]);
  stops.push(collector.stop);

  const first = startRelayProcess('killed', 10);
  await waitFor(
    () => first.state.acked >= 100,
    `the relay process to publish (${first.state.stderr})`,
  );
  first.child.kill('SIGKILL');
  await first.exited; // stdout drained: every "acked" line the process wrote is counted
  const coveredAtKill = await idsCoveredBy('killed', topic);
  // Killed mid-stream, and its checkpoint was not ahead of what the broker acknowledged.
  expect(coveredAtKill.size).toBeLessThan(ids.length);
  expect(coveredAtKill.size).toBeLessThanOrEqual(first.state.acked);

  const second = new OutboxRelay({
    pool,
    kafka,
    name: 'killed',
    batchSize: 10,
    pollIntervalMs: 20,
  });
  second.start();
  stops.push(() => second.stop());
  // The killed session's advisory lock goes with its connection; the successor takes over.
  await waitFor(() => second.isActive, 'the successor to take the lock');
  await waitFor(
    () => new Set(collector.messages.map((m) => header(m, 'ce_id'))).size === ids.length,
    'every row on the topic',
    60_000,
  );

  const { copies, firstCopiesPerKey } = summarize(collector.messages);
  expect(ids.filter((id) => copies.get(id) === undefined)).toEqual([]);
  // Rows the checkpoint covered when the process died are on the topic exactly once.
  const copied = [...copies].filter(([, n]) => n > 1).map(([id]) => id);
  expect(copied.filter((id) => coveredAtKill.has(id))).toEqual([]);
  // Copies are rows acknowledged after the last checkpoint, plus at most the batch in flight.
  expect(copied.length).toBeLessThanOrEqual(first.state.acked - coveredAtKill.size + 10);
  expect(firstCopiesPerKey).toEqual(
    new Map(
      KEYS.map((k, i) => [
        k,
        ids
          .map((_, n) => n)
          .filter((n) => n % 4 === i)
          .map((n) => `F-${String(n).padStart(5, '0')}`),
      ]),
    ),
  );
});
