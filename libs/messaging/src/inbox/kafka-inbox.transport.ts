import type { CloudEventEnvelope, IntegrationEvent } from '@fulfil/contracts';
import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { PoolClient } from 'pg';
import { lastValueFrom } from 'rxjs';
import { InboxConsumer } from './inbox-consumer';
import type { InboxConsumerOptions, MessageSource } from './inbox-consumer.options';

/** The `@Payload()` of a handler on {@link KafkaInboxTransport}. */
export interface InboxPayload {
  readonly event: IntegrationEvent;
  readonly envelope: CloudEventEnvelope;
}

/**
 * The `@Ctx()` of a handler on {@link KafkaInboxTransport}: `getClient()` is the open database
 * transaction that also records the event in the inbox — write the state change through it.
 */
export class InboxContext extends BaseRpcContext<[PoolClient, MessageSource]> {
  getClient(): PoolClient {
    return this.getArgByIndex(0);
  }

  getSource(): MessageSource {
    return this.getArgByIndex(1);
  }
}

/**
 * A Nest custom transport over {@link InboxConsumer}: `@EventPattern('<ce_type>')` methods
 * (`fulfil.orders.OrderPlaced.v1`, or the wire name without version for any version) become
 * idempotent handlers with the inbox, retries and dead-lettering of the consumer.
 *
 * ```ts
 * app.connectMicroservice({ strategy: new KafkaInboxTransport({ pool, kafka, groupId, topics }) });
 * ```
 */
export class KafkaInboxTransport extends Server implements CustomTransportStrategy {
  private consumer: InboxConsumer | undefined;

  constructor(private readonly options: Omit<InboxConsumerOptions, 'handlers'>) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    const consumer = new InboxConsumer(this.options);
    for (const [pattern, handler] of this.getHandlers()) {
      consumer.on(pattern, async (event, envelope, client, source) => {
        const payload: InboxPayload = { event, envelope };
        const result = await handler(payload, new InboxContext([client, source]));
        await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      });
    }
    this.consumer = consumer;
    try {
      await consumer.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  on(): never {
    throw new Error('KafkaInboxTransport has no status events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
