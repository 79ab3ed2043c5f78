import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  HttpCode,
  Inject,
  Module,
  Param,
  Post,
  type OnModuleInit,
} from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiProperty } from '@nestjs/swagger';
import { CommandHandler, type HandlerDecider } from '@fulfil/event-store';
import type { ServiceDefinition } from '@fulfil/service-kit';
import { IsInt, Min } from 'class-validator';
import type { PoolClient } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DeadlineScheduler } from '../deadlines/deadline-scheduler';
import { InboxContext, type InboxPayload } from '../inbox/kafka-inbox.transport';
import { enqueueIntegrationEvents } from '../outbox/enqueue';
import { orderCancelled } from '../testing/messaging-test-kit';
import { connectInbox } from './connect-inbox';
import { EventSourcingModule } from './event-sourcing.module';
import { EVENT_SOURCING_MIGRATIONS } from './event-sourcing.migrations';

// A test-only service on EventSourcingModule: an HTTP command that appends and publishes
// through the outbox, a Kafka handler that appends inside the inbox transaction and schedules
// a deadline, and the deadline's handler. The module's int-spec drives it end to end.

export const FIXTURE_TOPIC = 'es-fixture.events';
export const FIXTURE_SOURCE_TOPIC = 'es-fixture-source.events';

type Count = { readonly type: 'Count' };
type Counted = { readonly type: 'Counted'; readonly data: { readonly n: number } };
const counter: HandlerDecider<Count, Counted, number> = {
  initialState: () => 0,
  decide: (_command, n) => [{ type: 'Counted', data: { n: n + 1 } }],
  evolve: (_n, event) => event.data.n,
};

class CountDto {
  @ApiProperty() @IsInt() @Min(1) times!: number;
}

@Controller('counters')
class CounterController implements OnModuleInit {
  constructor(
    private readonly commands: CommandHandler,
    @Inject(DeadlineScheduler) private readonly deadlines: DeadlineScheduler,
  ) {}

  onModuleInit(): void {
    this.deadlines.on<{ counter: string }>('follow-up', async (payload, client) => {
      await client.query('INSERT INTO follow_ups (counter) VALUES ($1)', [payload.counter]);
    });
  }

  @Post(':id')
  @HttpCode(201)
  async count(@Param('id') id: string, @Body() body: CountDto) {
    let last = 0;
    for (let i = 0; i < body.times; i += 1) {
      const result = await this.commands.handle(
        `counter-${id}`,
        { type: 'Count' },
        {
          decider: counter,
          afterAppend: (client) => this.publish(client, id),
        },
      );
      last = result.state;
    }
    return { n: last };
  }

  @EventPattern('fulfil.orders.OrderCancelled')
  async onCancelled(@Payload() { event }: InboxPayload, @Ctx() ctx: InboxContext) {
    const orderId = (event.data as { orderId: string }).orderId;
    const client = ctx.getClient();
    await this.commands.handle(
      `cancelled-${orderId}`,
      { type: 'Count' },
      { decider: counter, client },
    );
    await this.deadlines.schedule(client, {
      id: `follow-up:${orderId}`,
      kind: 'follow-up',
      dueAt: new Date(),
      payload: { counter: `cancelled-${orderId}` },
    });
  }

  private async publish(client: PoolClient, id: string): Promise<void> {
    await enqueueIntegrationEvents(client, [{ event: orderCancelled(id) }], {
      correlationId: randomUUID(),
      time: new Date().toISOString(),
      topic: FIXTURE_TOPIC,
    });
  }
}

@Module({
  imports: [EventSourcingModule.forRoot({ deadlinePollIntervalMs: 20 })],
  controllers: [CounterController],
})
class CounterModule {}

class CreateFollowUps1732500000001 implements MigrationInterface {
  readonly name = 'CreateFollowUps1732500000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE follow_ups (counter text NOT NULL)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE follow_ups');
  }
}

export const eventSourcingFixture: ServiceDefinition = {
  catalog: { name: 'es-fixture', defaultPort: 3999, topic: FIXTURE_TOPIC, database: 'es_fixture' },
  title: 'Event-sourcing fixture',
  description: 'Test-only service on EventSourcingModule.',
  module: CounterModule,
  migrations: [...EVENT_SOURCING_MIGRATIONS, CreateFollowUps1732500000001],
  scopes: {},
  configure: (app) => connectInbox(app, { topics: [FIXTURE_SOURCE_TOPIC] }),
};
