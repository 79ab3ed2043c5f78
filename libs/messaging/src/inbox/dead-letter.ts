import type { IHeaders, KafkaMessage } from 'kafkajs';
import { deadLetterTopicOf } from '@fulfil/contracts';

/** The parts of a consumed message a dead letter keeps. */
export type ConsumedMessage = Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>;

/**
 * Headers a dead-lettered message carries besides its original ones (which are kept as they
 * were, so a redrive republishes the message after removing every `dlq_*` header).
 */
export const DeadLetterHeaders = {
  /** `poison` (failed `fromKafkaMessage`: envelope or schema) or `handler-failed`. */
  reason: 'dlq_reason',
  /** The error's message. */
  error: 'dlq_error',
  /** The error's stable code when it has one (`CONTRACT.SCHEMA_VIOLATION`, `ENVELOPE.…`). */
  errorCode: 'dlq_error_code',
  sourceTopic: 'dlq_source_topic',
  sourcePartition: 'dlq_source_partition',
  sourceOffset: 'dlq_source_offset',
  consumerGroup: 'dlq_consumer_group',
  /** How many times the handler ran (0 for poison messages). */
  attempts: 'dlq_attempts',
  /** When it was dead-lettered, ISO-8601 UTC. */
  failedAt: 'dlq_failed_at',
} as const;

export type DeadLetterReason = 'poison' | 'handler-failed';

/** The dead-letter topic of `topic`. */
export const deadLetterTopic = deadLetterTopicOf;

/** Builds the dead-letter message of `message`: same key and value, original headers plus `dlq_*`. */
export function deadLetterMessage(
  message: ConsumedMessage,
  source: { topic: string; partition: number; groupId: string },
  failure: { reason: DeadLetterReason; error: unknown; attempts: number },
): { key: Buffer | null; value: Buffer | null; headers: IHeaders } {
  const error = failure.error as { message?: unknown; code?: unknown } | undefined;
  const headers: IHeaders = { ...(message.headers ?? {}) };
  headers[DeadLetterHeaders.reason] = failure.reason;
  headers[DeadLetterHeaders.error] = String(error?.message ?? failure.error).slice(0, 4000);
  if (typeof error?.code === 'string') headers[DeadLetterHeaders.errorCode] = error.code;
  headers[DeadLetterHeaders.sourceTopic] = source.topic;
  headers[DeadLetterHeaders.sourcePartition] = String(source.partition);
  headers[DeadLetterHeaders.sourceOffset] = message.offset;
  headers[DeadLetterHeaders.consumerGroup] = source.groupId;
  headers[DeadLetterHeaders.attempts] = String(failure.attempts);
  headers[DeadLetterHeaders.failedAt] = new Date().toISOString();
  return { key: message.key, value: message.value, headers };
}

/**
 * The message to republish from a dead-lettered one (a redrive): the original key, value and
 * headers, without the `dlq_*` headers, to the original topic (`dlq_source_topic`).
 */
export function redriveMessage(message: Omit<ConsumedMessage, 'offset'>): {
  topic: string;
  message: { key: Buffer | null; value: Buffer | null; headers: IHeaders };
} {
  const headers: IHeaders = {};
  let topic: string | undefined;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (name === DeadLetterHeaders.sourceTopic) topic = String(value);
    if (!name.startsWith('dlq_') && value !== undefined) headers[name] = value;
  }
  if (!topic) throw new Error(`not a dead-lettered message: no ${DeadLetterHeaders.sourceTopic}`);
  return { topic, message: { key: message.key, value: message.value, headers } };
}
