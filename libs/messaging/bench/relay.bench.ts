/**
 * Throughput of the outbox relay (`OutboxRelay`) next to a raw kafkajs producer sending the same
 * messages to the same broker, on loopback: one embedded PostgreSQL (the outbox tables of
 * `CREATE_MESSAGING_SQL`) and the development broker in its own process.
 *
 *  - setup (untimed): `--messages` N `fulfil.orders.OrderPlaced` v1 integration events (the
 *    contracts' sample, with `--keys` different order ids so keys spread over partitions) are
 *    enqueued with `enqueueIntegrationEvents`, 100 per transaction.
 *  - relay: a fresh `OutboxRelay` (new name, so it starts from the beginning; batch size
 *    `--batch`) is started; timed until the broker acknowledged the last row (`afterSend`).
 *  - raw: the rows as the relay publishes them (same topic layout, keys, headers and values),
 *    sent by one kafkajs producer configured like the relay's (idempotent, one request in
 *    flight, acks -1), `sendBatch` of `--batch` messages back to back; timed from connect to
 *    the last acknowledgement, like the relay (whose producer also connects lazily).
 *  - `--rounds` rounds, alternating which goes first; best of the rounds is compared.
 *
 *   npx tsx libs/messaging/bench/relay.bench.ts [--messages N] [--batch N] [--keys N] [--rounds N]
 *
 * Prints a table with the target (relay ≥ 0.7 × raw) and, as the very last line, one JSON
 * object. Aborts after 5 minutes; PostgreSQL and the broker are stopped and their data
 * directories removed however the run ends.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { Pool } from 'pg';
import { getEventContract, type IntegrationEvent } from '@fulfil/contracts';
import { freePort } from '@fulfil/testing';
import {
  createDatabase,
  startDevBrokerProcess,
  startEmbeddedPostgres,
  type DevBrokerProcess,
  type EmbeddedPostgres,
} from '@fulfil/local-infra';
// Benchmarks reuse the contracts' test samples and the event-store bench's helpers; neither is
// part of a public API, hence the relative imports.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { sampleEvent } from '../../contracts/src/fixtures/event-samples.fixture';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { round, startCpuMeter, type CpuShare } from '../../event-store/bench/bench-support';
import { CREATE_MESSAGING_SQL, enqueueIntegrationEvents, OutboxRelay } from '../src';

const EVENT_TYPE = 'fulfil.orders.OrderPlaced';
const EVENT_VERSION = 1;
const PARTITIONS = 3;
const ENQUEUE_PER_TRANSACTION = 100;
const TARGET_RATIO = 0.7;
const ABORT_AFTER_MS = 5 * 60_000;
const TIME = '2026-11-23T08:00:00.000Z';

interface Settings {
  readonly messages: number;
  readonly batch: number;
  readonly keys: number;
  readonly rounds: number;
}

function parseSettings(argv: readonly string[]): Settings {
  const defaults: Record<string, number> = {
    '--messages': 20_000,
    '--batch': 100,
    '--keys': 1000,
    '--rounds': 3,
  };
  const values = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    if (!(argv[i] in defaults) || !Number.isInteger(value) || value <= 0) {
      console.error(
        `bad argument "${argv[i]} ${argv[i + 1] ?? ''}"; flags: ${Object.keys(defaults).join(' N, ')} N`,
      );
      process.exit(2);
    }
    values[argv[i]] = value;
  }
  return {
    messages: values['--messages'],
    batch: values['--batch'],
    keys: values['--keys'],
    rounds: values['--rounds'],
  };
}

/** The contracts' OrderPlaced sample with another order id (the message key). */
function orderPlaced(orderNumber: number): IntegrationEvent {
  const sample = sampleEvent(EVENT_TYPE, EVENT_VERSION);
  const data = { ...(sample.data as Record<string, unknown>), orderId: `ord-${orderNumber}` };
  return { ...sample, data } as IntegrationEvent;
}

async function enqueue(pool: Pool, settings: Settings): Promise<void> {
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

interface Figures {
  readonly messagesPerSecond: number;
  readonly seconds: number;
  readonly cpu: CpuShare;
}

async function timeRelay(
  pool: Pool,
  kafka: Kafka,
  settings: Settings,
  name: string,
  serverPids: number[],
): Promise<Figures> {
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
  settings: Settings,
  topicSuffix: string,
  serverPids: number[],
): Promise<Figures> {
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

interface Results {
  readonly relay: Figures[];
  readonly raw: Figures[];
  readonly messageBytes: number;
  readonly headerBytes: number;
  readonly topic: string;
}

async function run(
  settings: Settings,
  servers: { postgres: EmbeddedPostgres; broker: DevBrokerProcess },
): Promise<Results> {
  const url = await createDatabase(servers.postgres.url, 'bench_relay');
  const pool = new Pool({ connectionString: url, max: 8 });
  const kafka = new Kafka({
    clientId: 'relay-bench',
    brokers: [servers.broker.address],
    logLevel: logLevel.NOTHING,
  });
  const serverPids = [servers.postgres.postgresPid, servers.broker.pid];
  try {
    // Only the outbox's tables: the relay needs nothing else.
    for (const statement of CREATE_MESSAGING_SQL.filter((s) => /\boutbox/.test(s))) {
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
    const relay: Figures[] = [];
    const raw: Figures[] = [];
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

function printReport(settings: Settings, results: Results): void {
  const best = (figures: readonly Figures[]) =>
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
  const row = (phase: string, figures: readonly Figures[], chosen: Figures) => ({
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
    `relay / raw: ${round(ratio, 2)} — target ≥ ${TARGET_RATIO}: ` +
      (ratio >= TARGET_RATIO ? 'met' : 'NOT met'),
  );
  console.log(
    JSON.stringify({
      relay_msgs_per_s: Math.round(relay.messagesPerSecond),
      raw_msgs_per_s: Math.round(raw.messagesPerSecond),
      ratio_relay_raw: round(ratio, 2),
      relay_target_met: ratio >= TARGET_RATIO,
      relay_rounds_msgs_per_s: results.relay.map((f) => Math.round(f.messagesPerSecond)),
      raw_rounds_msgs_per_s: results.raw.map((f) => Math.round(f.messagesPerSecond)),
      relay_other_cpu_pct: relay.cpu.otherPct,
      raw_other_cpu_pct: raw.cpu.otherPct,
      messages: settings.messages,
      batch_size: settings.batch,
      message_bytes: results.messageBytes,
      partitions: PARTITIONS,
      cores,
    }),
  );
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  // PostgreSQL runs as user postgres when we are root: it must traverse this directory.
  chmodSync(root, 0o755);
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  let postgres: EmbeddedPostgres | undefined;
  let broker: DevBrokerProcess | undefined;
  // Last resort; the PostgreSQL runner also stops by itself when our stdin pipe to it closes.
  process.on('exit', () => {
    if (broker) {
      try {
        process.kill(broker.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removeRoot();
  });
  let shuttingDown: Promise<never> | undefined;
  const shutdown = (code: number): Promise<never> =>
    (shuttingDown ??= (async () => {
      for (const server of [broker, postgres]) {
        try {
          await server?.stop();
        } catch (error) {
          console.error('stopping:', (error as Error).message);
        }
      }
      broker = undefined;
      removeRoot();
      process.exit(code);
    })());
  const onSignal = (signal: NodeJS.Signals, code: number): void => {
    if (shuttingDown) process.exit(code);
    console.error(`benchmark interrupted (${signal}): stopping`);
    void shutdown(code);
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  setTimeout(() => {
    console.error(`benchmark aborted: not finished after ${ABORT_AFTER_MS / 1000} s`);
    void shutdown(1);
  }, ABORT_AFTER_MS).unref();

  try {
    postgres = await startEmbeddedPostgres({
      dataDir: join(root, 'pg'),
      port: await freePort(),
      removeDataDirOnStop: true,
      onLog: (line) => console.error(`[postgres] ${line}`),
    });
    broker = await startDevBrokerProcess({ port: 0, dataDir: join(root, 'kafka') });
    const results = await run(settings, { postgres, broker });
    printReport(settings, results);
  } catch (error) {
    if (!shuttingDown) console.error('benchmark failed:', error);
    await shutdown(1);
  }
  await shutdown(0);
}

void main();
