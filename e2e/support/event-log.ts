// Records every integration event the platform publishes on the topics a test watches, read
// from the beginning, so an assertion never depends on when the consumer joined. Every message
// is read with `fromKafkaMessage`: an event that breaks its contract or envelope is recorded in
// `violations` (a test asserts there are none) instead of silently passing.
import { randomUUID } from 'node:crypto';
import { fromKafkaMessage } from '@fulfil/contracts';
import { fixKafkajsIdleTimers } from '@fulfil/service-kit';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { eventually } from './local-stack';

export interface LoggedEvent {
  readonly topic: string;
  /** The short name, e.g. `OrderConfirmed` (wire name `fulfil.orders.OrderConfirmed`). */
  readonly name: string;
  readonly version: number;
  /** `ce_id`. */
  readonly id: string;
  /** The Kafka key (the aggregate id). */
  readonly key: string | undefined;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ContractViolation {
  readonly topic: string;
  readonly offset: string;
  readonly error: string;
}

export class EventLog {
  readonly events: LoggedEvent[] = [];
  readonly violations: ContractViolation[] = [];

  private constructor(private readonly consumer: Consumer) {}

  /** Joins a fresh consumer group on `topics`, from the first offset. */
  static async start(brokers: string[], topics: readonly string[]): Promise<EventLog> {
    fixKafkajsIdleTimers(); // the test process shares the cores with the stack it watches
    const kafka = new Kafka({ clientId: 'e2e-event-log', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `e2e-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const log = new EventLog(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        try {
          const { event, envelope } = fromKafkaMessage(message);
          log.events.push({
            topic,
            name: event.type.slice(event.type.lastIndexOf('.') + 1),
            version: event.version,
            id: envelope.id,
            key: message.key?.toString(),
            data: event.data as Record<string, unknown>,
          });
        } catch (error) {
          log.violations.push({ topic, offset: message.offset, error: String(error) });
        }
      },
    });
    return log;
  }

  /** Events named `name` whose data has every property of `match` (shallow, by equality). */
  find(name: string, match: Readonly<Record<string, unknown>> = {}): LoggedEvent[] {
    return this.events.filter(
      (e) => e.name === name && Object.entries(match).every(([k, v]) => e.data[k] === v),
    );
  }

  /** Names of every event about `orderId` (data.orderId), in the order they were consumed. */
  namesFor(orderId: string, topic?: string): string[] {
    return this.events
      .filter((e) => e.data.orderId === orderId && (topic === undefined || e.topic === topic))
      .map((e) => e.name);
  }

  /** Waits for the first event named `name` matching `match`; throws with context otherwise. */
  async waitFor(
    name: string,
    match: Readonly<Record<string, unknown>> = {},
    timeoutMs = 20_000,
  ): Promise<LoggedEvent> {
    const found = await eventually(() => this.find(name, match).length > 0, timeoutMs);
    if (!found) {
      const about = match.orderId
        ? ` (seen for the order: ${this.namesFor(String(match.orderId)).join(', ')})`
        : '';
      throw new Error(
        `no ${name} matching ${JSON.stringify(match)} within ${timeoutMs} ms${about}`,
      );
    }
    return this.find(name, match)[0]!;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
