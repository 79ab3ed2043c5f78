/**
 * The kafkajs produce phase: `producers` child processes (producer-worker.ts), each with its
 * own kafkajs producer, started together once all of them are connected.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../src/testing/child-broker';
import type { CpuMeter, CpuShare } from '@fulfil/local-infra';
import type { ParentMessage, WorkerMessage, WorkerSettings } from './producer-ipc';

const WORKER_PATH = resolve(__dirname, 'producer-worker.ts');
/** tsx compiling the worker plus kafkajs connecting; generous for a loaded machine. */
const READY_TIMEOUT_MS = 60_000;

export interface KafkajsProduceSettings {
  readonly address: string;
  readonly topic: string;
  readonly producers: number;
  readonly messages: number;
  readonly concurrency: number;
  readonly messageBytes: number;
  readonly batchSize: number;
}

export interface KafkajsProduceResult {
  /** Total messages / (last end − first start). */
  readonly perSecond: number;
  readonly seconds: number;
  /** Every `producer.send` of every process, sorted ascending. */
  readonly latenciesMs: number[];
  /** Client CPU is the sum over the producer processes, during their sends. */
  readonly cpu: CpuShare;
  /** Each process's own rate over its own run, to show how evenly the work was shared. */
  readonly perProducerPerSecond: number[];
}

type Done = Extract<WorkerMessage, { type: 'done' }>;

/**
 * Splits `messages` into whole batches and hands each process a contiguous run of them,
 * so only the very last batch of the last process can be short.
 */
function shareMessages(messages: number, producers: number, batchSize: number): number[] {
  const batches = Math.ceil(messages / batchSize);
  return Array.from({ length: producers }, (_, i) => {
    const first = Math.floor((i * batches) / producers);
    const end = Math.floor(((i + 1) * batches) / producers);
    return Math.max(0, Math.min(messages, end * batchSize) - first * batchSize);
  });
}

/** A promise with its settle functions; never reported as an unhandled rejection. */
function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
} {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** A forked worker with promises for its `ready` and `done` messages. */
interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly done: Promise<Done>;
}

function forkWorker(settings: WorkerSettings, register: (child: ChildProcess) => void): Worker {
  const child = fork(WORKER_PATH, [JSON.stringify(settings)], {
    cwd: REPO_ROOT,
    execPath: process.execPath,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  register(child);
  const ready = deferred<void>();
  const done = deferred<Done>();
  // Settling an already settled promise does nothing, so a normal exit after `done` is fine.
  const fail = (error: Error): void => {
    ready.reject(error);
    done.reject(error);
  };
  const name = `producer process ${settings.clientId} (pid ${child.pid})`;
  child.on('message', (message: WorkerMessage) => {
    if (message.type === 'ready') ready.resolve();
    else if (message.type === 'done') done.resolve(message);
    else if (message.type === 'error') fail(new Error(`${name} failed: ${message.message}`));
  });
  child.on('error', (error) => fail(new Error(`${name}: ${error.message}`)));
  child.on('exit', (code, signal) =>
    fail(new Error(`${name} exited (code ${code}, signal ${signal}) before reporting`)),
  );
  return { child, ready: ready.promise, done: done.promise };
}

/** Waits for a child to exit, SIGKILLing it if it takes longer than `ms`. */
async function reap(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs the phase. `register` receives every child as soon as it is forked, so the caller
 * can kill it whatever happens; `startMeter` is called right before the start signal, once
 * every process is connected, and the meter stopped as soon as the last one has reported.
 */
export async function produceWithKafkajs(
  settings: KafkajsProduceSettings,
  register: (child: ChildProcess) => void,
  startMeter: () => CpuMeter,
): Promise<KafkajsProduceResult> {
  const shares = shareMessages(settings.messages, settings.producers, settings.batchSize);
  const workers = shares.map((messages, i) =>
    forkWorker(
      {
        address: settings.address,
        topic: settings.topic,
        messages,
        concurrency: settings.concurrency,
        messageBytes: settings.messageBytes,
        batchSize: settings.batchSize,
        clientId: `bench-producer-${i + 1}`,
      },
      register,
    ),
  );
  await withTimeout(
    Promise.all(workers.map((w) => w.ready)),
    READY_TIMEOUT_MS,
    'the producer processes to connect',
  );
  const meter = startMeter();
  const start: ParentMessage = { type: 'start' };
  for (const worker of workers) worker.child.send(start);
  const reports = await Promise.all(workers.map((w) => w.done));
  const firstStart = Math.min(...reports.map((r) => r.startedAtMs));
  const lastEnd = Math.max(...reports.map((r) => r.endedAtMs));
  const seconds = (lastEnd - firstStart) / 1000;
  const cpu = meter.stop({
    cpuSeconds: reports.reduce((n, r) => n + r.cpuSeconds, 0),
    wallSeconds: seconds,
  });
  // Each worker disconnects its producer and exits by itself; make sure none is left behind.
  await Promise.all(workers.map(({ child }) => reap(child, 10_000)));

  const messages = reports.reduce((n, r) => n + r.messages, 0);
  return {
    perSecond: messages / seconds,
    seconds,
    latenciesMs: reports.flatMap((r) => r.latenciesMs).sort((a, b) => a - b),
    cpu,
    perProducerPerSecond: reports.map((r) => r.messages / ((r.endedAtMs - r.startedAtMs) / 1000)),
  };
}
