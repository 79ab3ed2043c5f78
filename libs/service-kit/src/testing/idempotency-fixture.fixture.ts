import { Body, Controller, HttpCode, Module, Param, Post, Put, Res } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsIn, IsInt, IsOptional, IsString, Min, MinLength } from 'class-validator';
import type { Response } from 'express';
import type { Pool, PoolClient } from 'pg';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Caller, RequireScopes } from '../auth/auth.decorators';
import { ProblemException, PROBLEM_TYPE_BASE } from '../http/problem-details';
import { idempotentAnswerWrite, idempotentKeyGuard } from '../idempotency/idempotent-answer';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { IDEMPOTENCY_MIGRATIONS } from '../idempotency/idempotency.migrations';
import type { ServiceDefinition } from '../service-definition';
import { FIXTURE_SCOPES } from './fixture-service.fixture';

// A test-only service with idempotent routes. Every handler run inserts a row into
// `fixture_payment_attempts` first, so the int-spec counts executions in the database.

/** Lock timeout of `POST /payments/short-lock`, small so the takeover test is quick. */
export const SHORT_LOCK_TIMEOUT_MS = 300;

/** Holds handlers that were asked to (`outcome: 'hold'`) until the test opens it. */
export class FixtureGate {
  private passage: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;

  close(): void {
    this.passage = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
  }

  pass(): Promise<void> {
    return this.passage;
  }
}

export const paymentsGate = new FixtureGate();

const OUTCOMES = ['ok', 'decline', 'crash', 'hold'] as const;

class CreatePaymentDto {
  @ApiProperty() @IsString() @MinLength(1) reference!: string;
  @ApiProperty() @IsInt() @Min(1) amount!: number;
  /** How the fixture handler ends: answer, 4xx problem, bug (500), or wait for the gate. */
  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: (typeof OUTCOMES)[number];
}

class SetAmountDto {
  @ApiProperty() @IsInt() @Min(1) amount!: number;
}

@Controller('payments')
class PaymentsFixtureHttpController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('fixtures:write')
  @Idempotent()
  create(
    @Body() body: CreatePaymentDto,
    @Caller() caller: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.execute('create', body, caller, res);
  }

  @Post('strict')
  @HttpCode(201)
  @Idempotent({ required: true })
  createStrict(
    @Body() body: CreatePaymentDto,
    @Caller() caller: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.execute('strict', body, caller, res);
  }

  @Post('short-lock')
  @HttpCode(201)
  @Idempotent({ lockTimeoutMs: SHORT_LOCK_TIMEOUT_MS })
  createWithShortLock(
    @Body() body: CreatePaymentDto,
    @Caller() caller: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.execute('short-lock', body, caller, res);
  }

  /**
   * Commits the attempt and its answer in one transaction (`idempotentAnswerWrite`): `commit`
   * answers exactly what it then sends, `differ` commits another body than it sends,
   * `rollback` rolls the transaction back and answers all the same.
   */
  @Post('answered-ahead/:how')
  @HttpCode(201)
  @Idempotent()
  async createAnsweredAhead(
    @Param('how') how: 'commit' | 'differ' | 'rollback',
    @Body() body: CreatePaymentDto,
    @Caller() caller: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.inTransaction(async (client) => {
      const payment = await this.insertAttempt(client, 'answered-ahead', body, caller);
      const location = `/payments/${payment.id}`;
      const sent = how === 'differ' ? { ...payment, amount: payment.amount + 1 } : payment;
      const answer = idempotentAnswerWrite(sent, { location });
      if (answer) await client.query(answer.text, [...answer.values]);
      await client.query(how === 'rollback' ? 'ROLLBACK' : 'COMMIT');
      if (how !== 'rollback') answer?.onCommit();
      res.setHeader('Location', location);
      return payment;
    });
  }

  /**
   * Commits the attempt and its answer in one transaction, as `answered-ahead/commit` does, on a
   * route whose answer takes its key (`claimWithAnswer`), its key guard first. Its outcome comes
   * after the insert, inside the transaction: `hold` waits for the gate there, `decline` and
   * `crash` roll back.
   */
  @Post('claim-with-answer')
  @HttpCode(201)
  @Idempotent({ claimWithAnswer: true })
  async createClaimingWithAnswer(
    @Body() body: CreatePaymentDto,
    @Caller() caller: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.inTransaction(async (client) => {
      const guard = idempotentKeyGuard();
      if (guard) await client.query(guard.text, [...guard.values]);
      const payment = await this.insertAttempt(client, 'claim-with-answer', body, caller);
      await this.endAsAsked(body, payment.id);
      const location = `/payments/${payment.id}`;
      const answer = idempotentAnswerWrite(payment, { location });
      if (answer) await client.query(answer.text, [...answer.values]);
      await client.query('COMMIT');
      answer?.onCommit();
      res.setHeader('Location', location);
      return payment;
    });
  }

  /**
   * Runs `work` on a connection of its own, after BEGIN; `work` ends the transaction, or throws
   * and it is rolled back.
   */
  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      return await work(client);
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  private async insertAttempt(
    client: PoolClient,
    route: string,
    body: CreatePaymentDto,
    caller: string,
  ): Promise<{ id: number; reference: string; amount: number; caller: string }> {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO fixture_payment_attempts (route, reference, amount, caller)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [route, body.reference, body.amount, caller],
    );
    return { id: rows[0]!.id, reference: body.reference, amount: body.amount, caller };
  }

  @Put(':reference')
  @Idempotent()
  setAmount(
    @Param('reference') reference: string,
    @Body() body: SetAmountDto,
    @Caller() caller: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.execute('set-amount', { reference, amount: body.amount }, caller, res);
  }

  private async execute(
    route: string,
    body: CreatePaymentDto,
    caller: string,
    res: Response,
  ): Promise<{ id: number; reference: string; amount: number; caller: string }> {
    const [attempt] = (await this.dataSource.query(
      `INSERT INTO fixture_payment_attempts (route, reference, amount, caller)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [route, body.reference, body.amount, caller],
    )) as Array<{ id: number }>;
    const id = attempt!.id;
    await this.endAsAsked(body, id);
    res.setHeader('Location', `/payments/${id}`);
    return { id, reference: body.reference, amount: body.amount, caller };
  }

  /** What `body.outcome` asks of the handler run that made attempt `id`. */
  private async endAsAsked(body: CreatePaymentDto, id: number): Promise<void> {
    const outcome = body.outcome ?? 'ok';
    switch (outcome) {
      case 'hold':
        await paymentsGate.pass();
        break;
      case 'decline':
        throw new ProblemException({
          type: `${PROBLEM_TYPE_BASE}payment-declined`,
          title: 'Payment declined',
          status: 422,
          detail: `Payment ${body.reference} was declined (attempt ${id}).`,
        });
      case 'crash':
        throw new Error('fixture payment crash');
      case 'ok':
        break;
      default: {
        const unknownOutcome: never = outcome;
        throw new Error(`unknown outcome ${String(unknownOutcome)}`);
      }
    }
  }
}

@Module({ controllers: [PaymentsFixtureHttpController] })
class PaymentsFixtureModule {}

class CreateFixturePaymentAttempts1732600000001 implements MigrationInterface {
  readonly name = 'CreateFixturePaymentAttempts1732600000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE fixture_payment_attempts (
      id serial PRIMARY KEY,
      route text NOT NULL,
      reference text NOT NULL,
      amount integer NOT NULL,
      caller text NOT NULL
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE fixture_payment_attempts');
  }
}

/** The fixture service with idempotent routes and the kit's idempotency migration. */
export const idempotencyFixtureDefinition: ServiceDefinition = {
  catalog: { name: 'fixture', defaultPort: 3998, topic: 'fixture.events', database: 'fixture' },
  title: 'Idempotency fixture service',
  description: 'Test-only service of the service kit with idempotent routes.',
  module: PaymentsFixtureModule,
  migrations: [...IDEMPOTENCY_MIGRATIONS, CreateFixturePaymentAttempts1732600000001],
  scopes: FIXTURE_SCOPES,
};
