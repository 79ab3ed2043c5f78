import type { Consumer, Kafka } from 'kafkajs';
import { fastConsumerConfig } from './consume-messages';

/** What one group member consumed, and from which partition. */
export interface MemberDelivery {
  readonly member: string;
  readonly partition: number;
  readonly offset: string;
  readonly value: string;
}

/**
 * A consumer-group member that remembers its latest assignment (from GROUP_JOIN) and
 * every message it processed, so a test can check how the broker spread partitions.
 */
export class TrackedGroupMember {
  /** Partitions of the subscribed topic from the most recent join; empty before the first. */
  assignment: number[] = [];
  joins = 0;
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    readonly name: string,
    groupId: string,
    private readonly topic: string,
    private readonly deliveries: MemberDelivery[],
  ) {
    this.consumer = kafka.consumer({ groupId, ...fastConsumerConfig });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assignment = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      this.joins++;
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    // Offsets are committed synchronously after each message, before the next one is
    // taken: then no processed message is left uncommitted when partitions move, which is
    // the only way Kafka's at-least-once delivery could hand one to a second member.
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        this.deliveries.push({
          member: this.name,
          partition,
          offset: message.offset,
          value: String(message.value),
        });
        await this.consumer.commitOffsets([
          { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
  }

  /** Leaves the group (LeaveGroup), which makes the broker rebalance the others. */
  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/** True when the members' assignments are disjoint, non-empty and cover every partition. */
export function coversExactly(
  members: readonly TrackedGroupMember[],
  partitionCount: number,
): boolean {
  const all = members.flatMap((member) => member.assignment);
  const distinct = new Set(all);
  return (
    members.every((member) => member.assignment.length > 0) &&
    all.length === partitionCount &&
    distinct.size === partitionCount &&
    [...distinct].every((partition) => partition >= 0 && partition < partitionCount)
  );
}
