import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stops ANALYZE from computing statistics of the event-sourcing tables' payload columns: the
 * events' data and metadata, snapshots' state, outbox messages' headers and value, deadlines'
 * payload. No query filters, joins or sorts on them, so the planner never reads those
 * statistics, and they were most of what an ANALYZE of these tables cost: comparing and
 * sorting sampled JSON documents. Measured on 20 000 order events: 210–230 ms of CPU for an
 * ANALYZE of `events`, 60–70 ms without (2026-12-06). Autovacuum analyses these tables as
 * they grow, in bursts on the cores the services use.
 */
export class SkipPayloadStatistics1733300000000 implements MigrationInterface {
  readonly name = 'SkipPayloadStatistics1733300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await setStatisticsTargets(queryRunner, PAYLOAD_COLUMNS, 0);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await setStatisticsTargets(queryRunner, PAYLOAD_COLUMNS, DEFAULT_TARGET);
  }
}

/** Columns by table: `[table, columns]`. */
export type ColumnsByTable = ReadonlyArray<readonly [string, readonly string[]]>;

/** The server's `default_statistics_target` (a column's target of -1). */
export const DEFAULT_TARGET = -1;

const PAYLOAD_COLUMNS: ColumnsByTable = [
  ['events', ['data', 'metadata']],
  ['snapshots', ['state']],
  ['outbox', ['headers', 'value']],
  ['deadlines', ['payload']],
];

/** Gives every column of `tables` the statistics target `target`: one statement per table. */
export async function setStatisticsTargets(
  queryRunner: QueryRunner,
  tables: ColumnsByTable,
  target: number,
): Promise<void> {
  for (const [table, columns] of tables) {
    const alterations = columns.map((column) => `ALTER COLUMN ${column} SET STATISTICS ${target}`);
    await queryRunner.query(`ALTER TABLE ${table} ${alterations.join(', ')}`);
  }
}
