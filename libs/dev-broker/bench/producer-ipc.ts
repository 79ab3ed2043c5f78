/**
 * Messages between the benchmark and its kafkajs producer processes (`producer-worker.ts`),
 * sent over the IPC channel of `child_process.fork`.
 */

/** What a producer process is told on its command line, as one JSON argument. */
export interface WorkerSettings {
  readonly address: string;
  readonly topic: string;
  /** Messages this process sends (its share of `--messages`). */
  readonly messages: number;
  readonly concurrency: number;
  readonly messageBytes: number;
  readonly batchSize: number;
  readonly clientId: string;
}

/** Parent → worker. */
export type ParentMessage = { readonly type: 'start' };

/** Worker → parent. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | {
      readonly type: 'done';
      /** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
      readonly startedAtMs: number;
      readonly endedAtMs: number;
      readonly messages: number;
      /** One entry per `producer.send`, in milliseconds. */
      readonly latenciesMs: number[];
      /** CPU (user + system) the process used between `startedAtMs` and `endedAtMs`. */
      readonly cpuSeconds: number;
    }
  | { readonly type: 'error'; readonly message: string };

/** A clock shared by every process on the machine (performance.now() is per process). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
