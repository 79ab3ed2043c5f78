import type { ConsumerConfig, IHeaders, Kafka } from 'kafkajs';
import { withTimeout } from './eventually';

/** One record as a test sees it: plain strings, so assertions read naturally. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: string;
  readonly headers: Record<string, string>;
}

export interface ConsumeOptions {
  readonly topic: string;
  readonly groupId: string;
  /** Resolve once this many messages have arrived. */
  readonly count: number;
  readonly fromBeginning?: boolean;
  readonly timeoutMs?: number;
  readonly consumerConfig?: Partial<ConsumerConfig>;
}

/** Short waits so a test consumer notices new data and rebalances quickly. */
export const fastConsumerConfig = {
  maxWaitTimeInMs: 200,
  heartbeatInterval: 300,
  sessionTimeout: 10_000,
  rebalanceTimeout: 10_000,
} as const;

/** Joins `groupId`, reads until `count` messages arrived, then leaves the group. */
export async function consumeMessages(
  kafka: Kafka,
  options: ConsumeOptions,
): Promise<ConsumedMessage[]> {
  const consumer = kafka.consumer({
    groupId: options.groupId,
    ...fastConsumerConfig,
    ...options.consumerConfig,
  });
  const received: ConsumedMessage[] = [];
  let done: () => void = () => undefined;
  const enough = new Promise<void>((resolve) => (done = resolve));
  if (options.count === 0) done();
  try {
    await consumer.connect();
    await consumer.subscribe({
      topic: options.topic,
      fromBeginning: options.fromBeginning ?? true,
    });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        received.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          timestamp: message.timestamp,
          headers: headersToStrings(message.headers),
        });
        if (received.length >= options.count) done();
      },
    });
    await withTimeout(
      enough,
      options.timeoutMs ?? 30_000,
      `consuming ${options.count} messages from ${options.topic}`,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; received ${received.length}`);
    });
    return received;
  } finally {
    await consumer.disconnect();
  }
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return result;
}

/** Groups messages by partition, keeping the order they were read in. */
export function byPartition<T extends { partition: number }>(
  messages: readonly T[],
): Map<number, T[]> {
  const result = new Map<number, T[]>();
  for (const message of messages) {
    const list = result.get(message.partition) ?? [];
    list.push(message);
    result.set(message.partition, list);
  }
  return result;
}
