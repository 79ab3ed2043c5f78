/**
 * The relay phase of the benchmarks: throughput of the outbox relay (`OutboxRelay`) next to a
 * raw kafkajs producer sending the same messages to the same broker. Used by
 * `relay.bench.ts` (`npm run bench:relay`) and by the event store's benchmark
 * (`npm run bench:eventstore`), which runs it after its own cases. The servers (PostgreSQL,
 * the development broker in its own process) are the caller's; see `relay.bench.ts` for what
 * is measured and how.
 */
import { availableParallelism } from 'node:os';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { Pool } from 'pg';
import { getEventContract, type IntegrationEvent } from '@fulfil/contracts';
import { createDatabase, round, startCpuMeter, type CpuShare } from '@fulfil/local-infra';
// The contracts' test samples are not part of their public API, hence the relative import.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { sampleEvent } from '../../contracts/src/fixtures/event-samples.fixture';
import {
  CREATE_MESSAGING_SQL,
  enqueueIntegrationEvents,
  OUTBOX_RELAY_ORDER_KEY_SQL,
  OutboxRelay,
} from '../src';

const EVENT_TYPE = 'fulfil.orders.OrderPlaced';
const EVENT_VERSION = 1;
const PARTITIONS = 3;
const ENQUEUE_PER_TRANSACTION = 100;
export const RELAY_TARGET_RATIO = 0.7;
const TIME = '2026-11-23T08:00:00.000Z';

export interface RelaySettings {
  readonly messages: number;
  /** Messages per `sendBatch`, for both. */
  readonly batch: number;
  readonly keys: number;
  readonly rounds: number;
}

export const DEFAULT_RELAY_SETTINGS: RelaySettings = {
  messages: 20_000,
  batch: 100,
  keys: 1000,
  rounds: 3,
};

/** The servers the phase runs against; `serverPids` are metered for CPU. */
export interface RelayServers {
  /** A PostgreSQL server URL; the phase creates its own database `bench_relay` on it. */
  readonly postgresServerUrl: string;
  readonly brokerAddress: string;
  readonly serverPids: readonly number[];
}

/** The contracts' OrderPlaced sample with another order id (the message key). */
function orderPlaced(orderNumber: number): IntegrationEvent {
  const sample = sampleEvent(EVENT_TYPE, EVENT_VERSION);
  const data = { ...(sample.data as Record<string, unknown>), orderId: `ord-${orderNumber}` };
  return { ...sample, data } as IntegrationEvent;
}

async function enqueue(pool: Pool, settings: RelaySettings): Promise<void> {
  for (let start = 0; start < settings.messages; start += ENQUEUE_PER_TRANSACTION) {
    const count = Math.min(ENQUEUE_PER_TRANSACTION, settings.messages - start);
    const events = Array.from({ length: count }, (_, i) => ({
      event: orderPlaced((start + i) % settings.keys),
    }));
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await enqueueIntegrationEvents(client, events, {
        correlationId: `corr-${start}`,
        causationId: `cmd-${start}`,
        time: TIME,
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
}

/** The outbox rows as the relay turns them into Kafka messages, in its order. */
async function outboxMessages(pool: Pool): Promise<{ topic: string; message: Message }[]> {
  const { rows } = await pool.query<{
    topic: string;
    key: string;
    headers: Record<string, string>;
    value: Buffer;
  }>('SELECT topic, key, headers, value FROM outbox ORDER BY transaction_id, position');
  return rows.map((row) => ({
    topic: row.topic,
    message: { key: row.key, value: row.value, headers: { ...row.headers } },
  }));
}

export interface RelayFigures {
  readonly messagesPerSecond: number;
  readonly seconds: number;
  readonly cpu: CpuShare;
}

async function timeRelay(
  pool: Pool,
  kafka: Kafka,
  settings: RelaySettings,
  name: string,
  serverPids: readonly number[],
): Promise<RelayFigures> {
  let sent = 0;
  let finish: (at: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const relay = new OutboxRelay({
    pool,
    kafka,
    name,
    batchSize: settings.batch,
    retentionMs: 0,
    afterSend: (batch) => {
      sent += batch.length;
      if (sent >= settings.messages) finish(performance.now());
    },
  });
  const meter = startCpuMeter(serverPids);
  const started = performance.now();
  relay.start();
  const endedAt = await finished;
  const cpu = meter.stop();
  await relay.stop();
  if (sent !== settings.messages) {
    throw new Error(`relay ${name} sent ${sent} messages, expected ${settings.messages}`);
  }
  const seconds = (endedAt - started) / 1000;
  return { messagesPerSecond: settings.messages / seconds, seconds, cpu };
}

async function timeRaw(
  kafka: Kafka,
  messages: readonly { topic: string; message: Message }[],
  settings: RelaySettings,
  topicSuffix: string,
  serverPids: readonly number[],
): Promise<RelayFigures> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const meter = startCpuMeter(serverPids);
  const started = performance.now();
  await producer.connect();
  for (let start = 0; start < messages.length; start += settings.batch) {
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of messages.slice(start, start + settings.batch)) {
      const list = byTopic.get(topic + topicSuffix) ?? [];
      list.push({ ...message, headers: { ...message.headers } });
      byTopic.set(topic + topicSuffix, list);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = meter.stop();
  await producer.disconnect();
  return { messagesPerSecond: messages.length / seconds, seconds, cpu };
}

export interface RelayResults {
  readonly relay: RelayFigures[];
  readonly raw: RelayFigures[];
  readonly messageBytes: number;
  readonly headerBytes: number;
  readonly topic: string;
}

/** Enqueues the messages (untimed), then times relay and raw producer, `rounds` times each. */
export async function measureRelay(
  settings: RelaySettings,
  servers: RelayServers,
): Promise<RelayResults> {
  const url = await createDatabase(servers.postgresServerUrl, 'bench_relay');
  const pool = new Pool({ connectionString: url, max: 8 });
  const kafka = new Kafka({
    clientId: 'relay-bench',
    brokers: [servers.brokerAddress],
    logLevel: logLevel.NOTHING,
  });
  const serverPids = servers.serverPids;
  try {
    // Only the outbox's tables: the relay needs nothing else.
    const outboxStatements = [...CREATE_MESSAGING_SQL, ...OUTBOX_RELAY_ORDER_KEY_SQL];
    for (const statement of outboxStatements.filter((s) => /\boutbox/.test(s))) {
      await pool.query(statement);
    }
    const topic = getEventContract(EVENT_TYPE, EVENT_VERSION).topic;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [topic, `${topic}.raw-bench`].map((name) => ({
        topic: name,
        numPartitions: PARTITIONS,
      })),
    });
    await admin.disconnect();

    await enqueue(pool, settings);
    await pool.query('VACUUM (ANALYZE) outbox');
    const messages = await outboxMessages(pool);
    if (messages.length !== settings.messages) {
      throw new Error(`outbox holds ${messages.length} rows, expected ${settings.messages}`);
    }
    const relay: RelayFigures[] = [];
    const raw: RelayFigures[] = [];
    for (let r = 1; r <= settings.rounds; r += 1) {
      const timeOne = async (which: 'relay' | 'raw') => {
        if (which === 'relay') {
          relay.push(await timeRelay(pool, kafka, settings, `bench-${r}`, serverPids));
        } else {
          raw.push(await timeRaw(kafka, messages, settings, '.raw-bench', serverPids));
        }
      };
      const order: ('relay' | 'raw')[] = r % 2 === 1 ? ['relay', 'raw'] : ['raw', 'relay'];
      for (const which of order) await timeOne(which);
      console.error(
        `round ${r}: relay ${Math.round(relay.at(-1)!.messagesPerSecond)} msgs/s, ` +
          `raw ${Math.round(raw.at(-1)!.messagesPerSecond)} msgs/s`,
      );
    }
    const sample = messages[0].message;
    const headerBytes = Object.entries(sample.headers ?? {}).reduce(
      (sum, [k, v]) => sum + k.length + String(v).length,
      0,
    );
    return {
      relay,
      raw,
      messageBytes: (sample.value as Buffer).length,
      headerBytes,
      topic,
    };
  } finally {
    await pool.end();
  }
}

/**
 * Prints what was measured, the table and the verdict (target: relay ≥ 0.7 × raw); returns the
 * named figures for the caller's final JSON line (`relay_msgs_per_s`, `raw_msgs_per_s`,
 * `ratio_relay_raw`, …).
 */
export function reportRelay(
  settings: RelaySettings,
  results: RelayResults,
): Record<string, number | boolean | number[] | null> {
  const best = (figures: readonly RelayFigures[]) =>
    figures.reduce((a, b) => (b.messagesPerSecond > a.messagesPerSecond ? b : a));
  const relay = best(results.relay);
  const raw = best(results.raw);
  const ratio = relay.messagesPerSecond / raw.messagesPerSecond;
  const cores = availableParallelism();
  console.log(
    `\nOutbox relay benchmark on ${cores} cores: ${settings.messages} ${EVENT_TYPE} v${EVENT_VERSION} ` +
      `messages (value ${results.messageBytes} B, headers ~${results.headerBytes} B, ` +
      `${settings.keys} keys), topic ${results.topic} with ${PARTITIONS} partitions, ` +
      `development broker in its own process, embedded PostgreSQL (fsync on), 127.0.0.1.\n` +
      `  relay: OutboxRelay, batchSize ${settings.batch}, from the first row to the last ` +
      `acknowledgement.\n` +
      `  raw: one kafkajs producer (idempotent, maxInFlightRequests 1, acks -1), sendBatch of ` +
      `${settings.batch}, same keys/headers/values, to ${results.topic}.raw-bench.\n` +
      `  best of ${settings.rounds} rounds each (order alternating); CPU % of one core, ` +
      `"servers" = PostgreSQL + broker, "other" = the rest of the machine.\n`,
  );
  const row = (phase: string, figures: readonly RelayFigures[], chosen: RelayFigures) => ({
    phase,
    'msgs/s': Math.round(chosen.messagesPerSecond),
    rounds: figures.map((f) => Math.round(f.messagesPerSecond)).join(', '),
    seconds: round(chosen.seconds, 2),
    'node CPU %': chosen.cpu.clientPct,
    'servers CPU %': chosen.cpu.serverPct ?? 'n/a',
    'other CPU %': chosen.cpu.otherPct ?? 'n/a',
  });
  console.table([
    row('relay (OutboxRelay)', results.relay, relay),
    row('raw kafkajs producer', results.raw, raw),
  ]);
  console.log(
    `relay / raw: ${round(ratio, 2)} — target ≥ ${RELAY_TARGET_RATIO}: ` +
      (ratio >= RELAY_TARGET_RATIO ? 'met' : 'NOT met'),
  );
  return {
    relay_msgs_per_s: Math.round(relay.messagesPerSecond),
    raw_msgs_per_s: Math.round(raw.messagesPerSecond),
    ratio_relay_raw: round(ratio, 2),
    relay_target_met: ratio >= RELAY_TARGET_RATIO,
    relay_rounds_msgs_per_s: results.relay.map((f) => Math.round(f.messagesPerSecond)),
    raw_rounds_msgs_per_s: results.raw.map((f) => Math.round(f.messagesPerSecond)),
    relay_other_cpu_pct: relay.cpu.otherPct,
    raw_other_cpu_pct: raw.cpu.otherPct,
    messages: settings.messages,
    batch_size: settings.batch,
    message_bytes: results.messageBytes,
    partitions: PARTITIONS,
    cores,
  };
}
