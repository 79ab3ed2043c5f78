// What bench:orders sees of the platform: when each order's events reached the topics.
//
// The load generator shares the 2 cores with the platform it measures, so it watches as little
// as it can while orders are being placed: only orders.events, which carries every order's
// outcome, without parsing a value (the key is the order id). The other topics are read after
// a phase has drained, to tell where the time went. Every time is the record's timestamp, set
// when the service's outbox relay published the event: not when this process got round to
// reading it, which under full load lags behind and would count the observer's delay.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';

const OUTCOME_TOPIC = 'orders.events';
const OTHER_TOPICS = ['inventory.events', 'payments.events'];

interface Outcome {
  readonly at: number;
  readonly type: string;
}

/** Watches the three topics from their end; see the file's comment for what it reads when. */
export class EventTrace {
  /** When each event type was first seen per order, as `<service>:<EventName>` → ms. */
  readonly stages = new Map<string, Map<string, number>>();
  /** The next offset to read per `topic/partition` of the topics read after a phase. */
  private readonly nextOffsets = new Map<string, number>();
  private readonly kafka: Kafka;
  private readonly live: Consumer;
  private readonly later: Consumer;

  constructor(brokers: string[]) {
    this.kafka = new Kafka({ clientId: 'bench-orders', brokers, logLevel: logLevel.NOTHING });
    this.live = this.throwawayConsumer();
    this.later = this.throwawayConsumer(); // paused but for `catchUp`
  }

  /**
   * A consumer in a group of its own, reading from the end: committing its offsets would only
   * cost the shared cores (about one OffsetCommit per batch, the broker's most frequent
   * request). A fetch returns as soon as a record arrives, and times are the records' own: a
   * long wait costs no accuracy, while a short one makes an idle or paused consumer (which
   * sleeps its wait a round) poll the broker.
   */
  private throwawayConsumer(): Consumer {
    return this.kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 500 });
  }

  async start(): Promise<void> {
    await this.live.connect();
    await this.live.subscribe({ topics: [OUTCOME_TOPIC], fromBeginning: false });
    await this.live.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        const type = message.headers?.ce_type?.toString() ?? '';
        if (message.key) this.see(message.key.toString(), topic, type, Number(message.timestamp));
      },
    });
    await this.later.connect();
    await this.later.subscribe({ topics: OTHER_TOPICS, fromBeginning: false });
    await this.later.run({ autoCommit: false, eachMessage: (payload) => this.readLater(payload) });
    this.pauseOthers();
    // Joining the groups takes a moment; events before that would be missed.
    await new Promise((done) => setTimeout(done, 4_000));
    // Where `later` starts reading: the topics' end now (nothing is published meanwhile).
    for (const [partition, end] of await this.endOffsets()) this.nextOffsets.set(partition, end);
  }

  /** The first of `names` seen for an order, with when. */
  private firstOf(orderId: string, names: readonly string[]): Outcome | undefined {
    const seen = this.stages.get(orderId);
    const found = names
      .map((type) => ({ type, at: seen?.get(type) }))
      .filter((o): o is Outcome => o.at !== undefined);
    return found.sort((a, b) => a.at - b.at)[0];
  }

  /** The order's outcome on orders.events: confirmed or cancelled. */
  outcome(orderId: string): Outcome | undefined {
    return this.firstOf(orderId, ['orders:OrderConfirmed', 'orders:OrderCancelled']);
  }

  /** When inventory answered the order's reservation (known after {@link catchUp}). */
  reservedAt(orderId: string): number | undefined {
    return this.firstOf(orderId, ['inventory:StockReserved', 'inventory:StockReservationFailed'])
      ?.at;
  }

  /**
   * Reads the other topics up to their current end, then pauses them again: call it once a
   * phase has drained, before looking at {@link stages} or {@link reservedAt}.
   */
  async catchUp(timeoutMs: number): Promise<void> {
    const ends = await this.endOffsets();
    this.later.resume(OTHER_TOPICS.map((topic) => ({ topic })));
    const deadline = Date.now() + timeoutMs;
    const behind = () =>
      [...ends].some(([partition, end]) => (this.nextOffsets.get(partition) ?? 0) < end);
    while (behind() && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
    this.pauseOthers();
  }

  async stop(): Promise<void> {
    await Promise.all([this.live.disconnect(), this.later.disconnect()]);
  }

  /** The offset after the last message of each `topic/partition` of the topics read later. */
  private async endOffsets(): Promise<Map<string, number>> {
    const ends = new Map<string, number>();
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of OTHER_TOPICS) {
        for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
          ends.set(`${topic}/${partition}`, Number(high));
        }
      }
    } finally {
      await admin.disconnect();
    }
    return ends;
  }

  private async readLater({ topic, partition, message }: EachMessagePayload): Promise<void> {
    this.nextOffsets.set(`${topic}/${partition}`, Number(message.offset) + 1);
    const type = message.headers?.ce_type?.toString() ?? '';
    const data = JSON.parse(message.value?.toString() ?? '{}') as { orderId?: string };
    if (data.orderId) this.see(data.orderId, topic, type, Number(message.timestamp));
  }

  private pauseOthers(): void {
    this.later.pause(OTHER_TOPICS.map((topic) => ({ topic })));
  }

  private see(orderId: string, topic: string, ceType: string, at: number): void {
    const seen = this.stages.get(orderId) ?? new Map<string, number>();
    const stage = `${topic.split('.')[0]}:${ceType.split('.')[2] ?? ceType}`;
    if (!seen.has(stage)) seen.set(stage, at);
    this.stages.set(orderId, seen);
  }
}
