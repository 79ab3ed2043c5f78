import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates `deadlines`: timeouts a service scheduled (reservation expiry, unpaid order, payment
 * intent expiry), each fired once by {@link DeadlineScheduler}. List it after
 * `CreateMessaging1732400000000`.
 */
export class CreateDeadlines1732500000000 implements MigrationInterface {
  readonly name = 'CreateDeadlines1732500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE deadlines (
       deadline_id text PRIMARY KEY,
       kind text NOT NULL,
       due_at timestamptz NOT NULL,
       payload jsonb NOT NULL,
       attempts integer NOT NULL DEFAULT 0,
       last_error text,
       scheduled_at timestamptz NOT NULL DEFAULT now()
     )`);
    await queryRunner.query(`CREATE INDEX deadlines_due_idx ON deadlines (due_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS deadlines`);
  }
}
