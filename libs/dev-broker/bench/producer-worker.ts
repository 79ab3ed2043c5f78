/**
 * One kafkajs producer in its own process, forked by `broker.bench.ts` (one JavaScript
 * client saturates its thread long before the broker does, so the benchmark runs several).
 *
 * Protocol (see producer-ipc.ts): connect, send `ready`, wait for `start`, run
 * `concurrency` send loops of `batchSize`-message batches with acks -1 over this process's
 * share of the messages, send `done` with the timings, disconnect and exit.
 * The process exits as soon as its parent goes away, so it can never outlive the benchmark.
 */
import { randomBytes } from 'node:crypto';
import { createKafka } from '../src/testing/kafka-client';
import {
  epochMs,
  type ParentMessage,
  type WorkerMessage,
  type WorkerSettings,
} from './producer-ipc';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('producer-worker must be started with fork()'));
    process.send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
  });
}

function startSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: ParentMessage): void => {
      if (message.type !== 'start') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

async function run(settings: WorkerSettings): Promise<void> {
  const producer = createKafka(settings.address, settings.clientId).producer();
  await producer.connect();
  // One fixed payload: the benchmark measures the broker, not random-number generation.
  const value = randomBytes(settings.messageBytes);
  const batches = Math.ceil(settings.messages / settings.batchSize);
  const started = startSignal();
  await send({ type: 'ready' });
  await started;

  const startedAtMs = epochMs();
  const cpuStart = process.cpuUsage();
  let nextBatch = 0;
  const latenciesMs: number[] = [];
  const sendLoop = async (): Promise<void> => {
    while (nextBatch < batches) {
      const batch = nextBatch++;
      const count = Math.min(settings.batchSize, settings.messages - batch * settings.batchSize);
      const messages = Array.from({ length: count }, () => ({ value }));
      const sentAt = performance.now();
      await producer.send({ topic: settings.topic, acks: -1, messages });
      latenciesMs.push(performance.now() - sentAt);
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, sendLoop));
  const endedAtMs = epochMs();
  const cpu = process.cpuUsage(cpuStart);

  await send({
    type: 'done',
    startedAtMs,
    endedAtMs,
    messages: settings.messages,
    latenciesMs,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  });
  await producer.disconnect();
}

// The parent died or closed the channel: nobody is left to read our results.
process.on('disconnect', () => process.exit(1));

run(JSON.parse(process.argv[2] ?? '{}') as WorkerSettings).then(
  () => process.exit(0),
  async (error: unknown) => {
    try {
      await send({
        type: 'error',
        message: error instanceof Error ? error.message : String(error),
      });
    } finally {
      process.exit(1);
    }
  },
);
