/**
 * Throughput benchmark for the development broker (in its own process), on loopback:
 *
 *  1. produce (kafkajs): `--producers` child processes, each with one kafkajs producer
 *     running `--concurrency` send loops of 100-message batches, acks -1. One JavaScript
 *     client saturates its own thread well below the broker's rate, hence several processes.
 *  2. produce (raw): broker capacity. Pre-encoded Produce requests written with several in
 *     flight and no client library, to show the broker's own ceiling on this machine.
 *  3. consume (kafkajs): one consumer reading phase 1's messages with eachBatch.
 *
 *   npx tsx libs/dev-broker/bench/broker.bench.ts [--messages N] [--concurrency N] [--producers N]
 *
 * Prints a table with the targets and, as the very last line, one JSON object for tools.
 * Aborts after 5 minutes; the broker and every producer process are killed and the data
 * directory removed however the run ends (including Ctrl-C).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { spawnBroker, type ChildBroker } from '../src/testing/child-broker';
import { findFreePort } from '../src/testing/free-port';
import { createKafka } from '../src/testing/kafka-client';
import { createTempDataDir } from '../src/testing/temp-data-dir';
import { runBenchmark, startCpuMeter, type CpuShare } from '@fulfil/local-infra';
import { produceWithKafkajs, type KafkajsProduceResult } from './kafkajs-producers';
import { produceRaw, type RawProduceResult } from './raw-producer';

const MESSAGE_BYTES = 1024;
const BATCH_SIZE = 100;
const PARTITIONS = 3;
const TARGET_PRODUCE = 50_000;
const TARGET_CONSUME = 100_000;
const ABORT_AFTER_MS = 5 * 60_000;
/** Broker-capacity phase: connections and unanswered requests per connection. */
const RAW_CONNECTIONS = 2;
const RAW_IN_FLIGHT = 8;

interface Settings {
  readonly messages: number;
  readonly concurrency: number;
  readonly producers: number;
}

function parseSettings(argv: readonly string[]): Settings {
  const known = new Set(['--messages', '--concurrency', '--producers']);
  for (let i = 0; i < argv.length; i += 2) {
    if (!known.has(argv[i])) {
      console.error(`unknown argument "${argv[i]}"; flags: ${[...known].join(' N, ')} N`);
      process.exit(2);
    }
  }
  const read = (flag: string, fallback: number): number => {
    const index = argv.indexOf(flag);
    if (index === -1) return fallback;
    const value = Number(argv[index + 1]);
    if (!Number.isInteger(value) || value <= 0) {
      console.error(`${flag} needs a positive integer, got "${argv[index + 1]}"`);
      process.exit(2);
    }
    return value;
  };
  const settings = {
    messages: read('--messages', 200_000),
    concurrency: read('--concurrency', 4),
    producers: read('--producers', 2),
  };
  if (settings.messages < settings.producers * BATCH_SIZE) {
    console.error(`--messages must give each producer process at least one batch of ${BATCH_SIZE}`);
    process.exit(2);
  }
  return settings;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

async function consume(address: string, topic: string, messages: number): Promise<number> {
  const consumer = createKafka(address, 'bench-consumer').consumer({
    groupId: `bench-${randomUUID()}`,
  });
  let received = 0;
  let joinedAt = 0;
  let finish: (at: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  // Timing starts once the group is joined, so the rebalance delay is not counted as reading.
  consumer.on(consumer.events.GROUP_JOIN, () => (joinedAt ||= performance.now()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      received += batch.messages.length;
      if (received >= messages) finish(performance.now());
    },
  });
  const endedAt = await finished;
  await consumer.disconnect();
  return messages / ((endedAt - joinedAt) / 1000);
}

interface Results {
  readonly produced: KafkajsProduceResult;
  readonly capacity: RawProduceResult;
  readonly consumedPerSecond: number;
  readonly cpu: { produce: CpuShare; capacity: CpuShare; consume: CpuShare };
}

function printReport(settings: Settings, results: Results): void {
  const { produced, capacity, consumedPerSecond, cpu } = results;
  const p50 = percentile(produced.latenciesMs, 50);
  const p99 = percentile(produced.latenciesMs, 99);
  const ratio = produced.perSecond / capacity.perSecond;
  const cores = availableParallelism();
  const verdict = (actual: number, target: number): string =>
    actual >= target ? 'met' : 'NOT met';
  const row = (
    phase: string,
    clients: string,
    perSecond: number,
    target: number,
    share: CpuShare,
    latencies: [number, number] | null = null,
  ): Record<string, number | string> => ({
    phase,
    clients,
    'msgs/s': Math.round(perSecond),
    target,
    result: verdict(perSecond, target),
    'send p50 ms': latencies ? round(latencies[0], 2) : '',
    'send p99 ms': latencies ? round(latencies[1], 2) : '',
    'client CPU %': share.clientPct,
    'broker CPU %': share.serverPct ?? 'n/a',
    'other CPU %': share.otherPct ?? 'n/a',
  });
  console.log(
    `\nDevelopment broker benchmark on ${cores} cores: ${settings.messages} messages of ` +
      `${MESSAGE_BYTES} B, batches of ${BATCH_SIZE}, acks -1, ${PARTITIONS} partitions.\n` +
      `  produce (kafkajs): ${settings.producers} producer process(es) × ` +
      `${settings.concurrency} send loops each, kafkajs defaults otherwise.\n` +
      `  produce (raw): pre-encoded Produce v3 requests, one batch each, ` +
      `${RAW_CONNECTIONS} connection(s) × ${RAW_IN_FLIGHT} in flight, to another topic.\n` +
      `  CPU % is of one core; client CPU of kafkajs produce is summed over its processes; ` +
      `other CPU % is the rest of the machine (high = figures disturbed).\n`,
  );
  console.table([
    row(
      'produce (kafkajs)',
      `${settings.producers} proc × ${settings.concurrency} loops`,
      produced.perSecond,
      TARGET_PRODUCE,
      cpu.produce,
      [p50, p99],
    ),
    row(
      'produce (raw: broker capacity)',
      `${RAW_CONNECTIONS} conn × ${RAW_IN_FLIGHT} in flight`,
      capacity.perSecond,
      TARGET_PRODUCE,
      cpu.capacity,
    ),
    row('consume (kafkajs)', '1 consumer', consumedPerSecond, TARGET_CONSUME, cpu.consume),
  ]);
  console.log(
    `kafkajs produce rate / broker capacity: ${round(ratio, 2)}` +
      ` (per producer process: ${produced.perProducerPerSecond.map(Math.round).join(', ')} msgs/s)`,
  );
  console.log(
    JSON.stringify({
      produce_msgs_per_s: Math.round(produced.perSecond),
      consume_msgs_per_s: Math.round(consumedPerSecond),
      produce_p50_ms: round(p50, 2),
      produce_p99_ms: round(p99, 2),
      broker_capacity_msgs_per_s: Math.round(capacity.perSecond),
      kafkajs_to_capacity_ratio: round(ratio, 2),
      produce_client_cpu_pct: cpu.produce.clientPct,
      produce_broker_cpu_pct: cpu.produce.serverPct,
      capacity_client_cpu_pct: cpu.capacity.clientPct,
      capacity_broker_cpu_pct: cpu.capacity.serverPct,
      consume_client_cpu_pct: cpu.consume.clientPct,
      consume_broker_cpu_pct: cpu.consume.serverPct,
      other_cpu_pct: [cpu.produce.otherPct, cpu.capacity.otherPct, cpu.consume.otherPct],
      producers: settings.producers,
      concurrency: settings.concurrency,
      messages: settings.messages,
      message_bytes: MESSAGE_BYTES,
      batch_size: BATCH_SIZE,
      cores,
    }),
  );
}

/** Every child process of the run, so that none outlives it whatever happens. */
class Children {
  private broker?: ChildBroker;
  private brokerStarting?: Promise<unknown>;
  private readonly workers = new Set<ChildProcess>();

  /** Tracks the broker from the moment it is spawned, not only once it is ready. */
  async spawnBroker(dataDir: string): Promise<ChildBroker> {
    const starting = findFreePort().then((port) => spawnBroker({ port, dataDir }));
    this.brokerStarting = starting.catch(() => undefined);
    this.broker = await starting;
    return this.broker;
  }

  addWorker(worker: ChildProcess): void {
    this.workers.add(worker);
  }

  /**
   * SIGKILLs everything still running; synchronous, so it also works in an 'exit' handler.
   * ChildProcess.kill does nothing once a child has exited, so a reused pid is never hit.
   */
  killAll(): void {
    void this.broker?.kill();
    for (const worker of this.workers) worker.kill('SIGKILL');
  }

  /** Kills everything and waits (briefly) until the processes are really gone. */
  async killAndWait(ms = 5_000): Promise<void> {
    // A broker still starting is not ours to kill yet; spawnBroker gives up after 30 s itself.
    if (this.brokerStarting && !this.broker) await this.brokerStarting;
    this.killAll();
    const exits = [...this.workers].map((worker) =>
      worker.exitCode !== null || worker.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((done) => worker.once('exit', () => done())),
    );
    if (this.broker) exits.push(this.broker.exited.then(() => undefined));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(exits), new Promise((done) => (timer = setTimeout(done, ms)))]);
    clearTimeout(timer);
  }
}

async function run(settings: Settings, children: Children, dataDir: string): Promise<Results> {
  const broker = await children.spawnBroker(dataDir);
  const suffix = randomUUID().slice(0, 8);
  const topic = `bench-${suffix}`;
  const rawTopic = `bench-raw-${suffix}`;
  const admin = createKafka(broker.address, 'bench-admin').admin();
  await admin.connect();
  await admin.createTopics({
    topics: [topic, rawTopic].map((name) => ({ topic: name, numPartitions: PARTITIONS })),
  });
  await admin.disconnect();

  const produced = await produceWithKafkajs(
    {
      address: broker.address,
      topic,
      producers: settings.producers,
      messages: settings.messages,
      concurrency: settings.concurrency,
      messageBytes: MESSAGE_BYTES,
      batchSize: BATCH_SIZE,
    },
    (child) => children.addWorker(child),
    () => startCpuMeter([broker.pid]),
  );

  const capacityMeter = startCpuMeter([broker.pid]);
  const capacity = await produceRaw({
    host: broker.host,
    port: broker.port,
    topic: rawTopic,
    partitions: PARTITIONS,
    messages: settings.messages,
    messageBytes: MESSAGE_BYTES,
    batchSize: BATCH_SIZE,
    connections: RAW_CONNECTIONS,
    inFlight: RAW_IN_FLIGHT,
  });
  const capacityCpu = capacityMeter.stop();

  const consumeMeter = startCpuMeter([broker.pid]);
  const consumedPerSecond = await consume(broker.address, topic, settings.messages);
  const consumeCpu = consumeMeter.stop();
  await broker.stop();
  return {
    produced,
    capacity,
    consumedPerSecond,
    cpu: { produce: produced.cpu, capacity: capacityCpu, consume: consumeCpu },
  };
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const dataDir = createTempDataDir('dev-broker-bench-');
  const children = new Children();
  // Last resort, for paths that end in process.exit() without going through shutdown().
  process.on('exit', () => {
    children.killAll();
    dataDir.remove();
  });
  await runBenchmark(
    {
      abortAfterMs: ABORT_AFTER_MS,
      cleanup: async () => {
        await children.killAndWait();
        dataDir.remove();
      },
    },
    async () => printReport(settings, await run(settings, children, dataDir.path)),
  );
}

void main();
