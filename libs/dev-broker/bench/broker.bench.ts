/**
 * Throughput benchmark for the development broker: kafkajs producer and consumer on
 * loopback against the broker in its own process (so it has its own core).
 *
 *   npx tsx libs/dev-broker/bench/broker.bench.ts [--messages N] [--concurrency N]
 *
 * Prints a table with the targets and, as the very last line, one JSON object for tools.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawnBroker, type ChildBroker } from '../src/testing/child-broker';
import { findFreePort } from '../src/testing/free-port';
import { createKafka } from '../src/testing/kafka-client';
import { createTempDataDir } from '../src/testing/temp-data-dir';

const MESSAGE_BYTES = 1024;
const BATCH_SIZE = 100;
const PARTITIONS = 3;
const TARGET_PRODUCE = 50_000;
const TARGET_CONSUME = 100_000;
const ABORT_AFTER_MS = 5 * 60_000;

interface Settings {
  readonly messages: number;
  readonly concurrency: number;
}

function parseSettings(argv: readonly string[]): Settings {
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
  return { messages: read('--messages', 200_000), concurrency: read('--concurrency', 4) };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

/** CPU use of this process (the kafkajs clients) and of the broker, as % of one core. */
interface CpuShare {
  readonly clientPct: number;
  readonly brokerPct: number | null;
}

/**
 * Both sides share the machine's cores, so a missed target needs this to tell whether the
 * broker or the JavaScript client was the limit. Broker CPU comes from /proc (Linux only).
 */
function startCpuMeter(brokerPid: number): () => CpuShare {
  const brokerCpuSeconds = (): number | null => {
    try {
      const fields = readFileSync(`/proc/${brokerPid}/stat`, 'utf8').split(') ')[1].split(' ');
      // utime and stime are fields 14 and 15 of stat, counted in clock ticks (100 per second).
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return null;
    }
  };
  const wallStart = performance.now();
  const clientStart = process.cpuUsage();
  const brokerStart = brokerCpuSeconds();
  return () => {
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const client = process.cpuUsage(clientStart);
    const brokerEnd = brokerCpuSeconds();
    return {
      clientPct: round(((client.user + client.system) / 1e6 / wallSeconds) * 100, 0),
      brokerPct:
        brokerStart === null || brokerEnd === null
          ? null
          : round(((brokerEnd - brokerStart) / wallSeconds) * 100, 0),
    };
  };
}

async function produce(
  address: string,
  topic: string,
  settings: Settings,
): Promise<{ perSecond: number; latenciesMs: number[] }> {
  const producer = createKafka(address, 'bench-producer').producer();
  await producer.connect();
  // One fixed payload: the benchmark measures the broker, not random-number generation.
  const value = randomBytes(MESSAGE_BYTES);
  const batches = Math.ceil(settings.messages / BATCH_SIZE);
  let nextBatch = 0;
  const latenciesMs: number[] = [];
  const sendLoop = async (): Promise<void> => {
    while (nextBatch < batches) {
      const batch = nextBatch++;
      const count = Math.min(BATCH_SIZE, settings.messages - batch * BATCH_SIZE);
      const messages = Array.from({ length: count }, () => ({ value }));
      const started = performance.now();
      await producer.send({ topic, acks: -1, messages });
      latenciesMs.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: settings.concurrency }, sendLoop));
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return { perSecond: settings.messages / seconds, latenciesMs: latenciesMs.sort((a, b) => a - b) };
}

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

function printReport(
  settings: Settings,
  produced: { perSecond: number; latenciesMs: number[] },
  consumedPerSecond: number,
  cpu: { produce: CpuShare; consume: CpuShare },
): void {
  const p50 = percentile(produced.latenciesMs, 50);
  const p99 = percentile(produced.latenciesMs, 99);
  const verdict = (actual: number, target: number): string =>
    actual >= target ? 'met' : 'NOT met';
  const cpuColumns = (share: CpuShare): Record<string, number | string> => ({
    'client CPU %': share.clientPct,
    'broker CPU %': share.brokerPct ?? 'n/a',
  });
  console.log(
    `\nDevelopment broker benchmark: ${settings.messages} messages of ${MESSAGE_BYTES} B, ` +
      `batches of ${BATCH_SIZE}, ${settings.concurrency} concurrent send loops, acks -1, ` +
      `${PARTITIONS} partitions, kafkajs defaults otherwise (CPU % is of one core)\n`,
  );
  console.table([
    {
      phase: 'produce',
      'msgs/s': Math.round(produced.perSecond),
      target: TARGET_PRODUCE,
      result: verdict(produced.perSecond, TARGET_PRODUCE),
      'send p50 ms': round(p50, 2),
      'send p99 ms': round(p99, 2),
      ...cpuColumns(cpu.produce),
    },
    {
      phase: 'consume',
      'msgs/s': Math.round(consumedPerSecond),
      target: TARGET_CONSUME,
      result: verdict(consumedPerSecond, TARGET_CONSUME),
      'send p50 ms': '',
      'send p99 ms': '',
      ...cpuColumns(cpu.consume),
    },
  ]);
  console.log(
    JSON.stringify({
      produce_msgs_per_s: Math.round(produced.perSecond),
      consume_msgs_per_s: Math.round(consumedPerSecond),
      produce_p50_ms: round(p50, 2),
      produce_p99_ms: round(p99, 2),
      messages: settings.messages,
      message_bytes: MESSAGE_BYTES,
      batch_size: BATCH_SIZE,
    }),
  );
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const dataDir = createTempDataDir('dev-broker-bench-');
  const running: { broker?: ChildBroker } = {};
  // Whatever happens (abort, exception, Ctrl-C), the child broker must not outlive us.
  const killBroker = (): void => {
    if (running.broker && running.broker.pid > 0) {
      try {
        process.kill(running.broker.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', () => {
    killBroker();
    dataDir.remove();
  });
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));
  setTimeout(() => {
    console.error(`benchmark aborted: not finished after ${ABORT_AFTER_MS / 1000} s`);
    process.exit(1);
  }, ABORT_AFTER_MS).unref();

  const broker = await spawnBroker({ port: await findFreePort(), dataDir: dataDir.path });
  running.broker = broker;
  const topic = `bench-${randomUUID().slice(0, 8)}`;
  const admin = createKafka(broker.address, 'bench-admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();

  const produceMeter = startCpuMeter(broker.pid);
  const produced = await produce(broker.address, topic, settings);
  const produceCpu = produceMeter();
  const consumeMeter = startCpuMeter(broker.pid);
  const consumedPerSecond = await consume(broker.address, topic, settings.messages);
  const consumeCpu = consumeMeter();
  await broker.stop();
  printReport(settings, produced, consumedPerSecond, { produce: produceCpu, consume: consumeCpu });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('benchmark failed:', error);
    process.exit(1);
  },
);
