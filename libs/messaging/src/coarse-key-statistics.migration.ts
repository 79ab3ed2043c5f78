import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  DEFAULT_TARGET,
  setStatisticsTargets,
  type ColumnsByTable,
} from './skip-payload-statistics.migration';

/**
 * Makes ANALYZE of the append-only event-sourcing tables — `events`, `outbox`, `inbox` — sample
 * 3 000 rows instead of 30 000: a statistics target of 10 on every column still analysed (the
 * payloads are not: `SkipPayloadStatistics1733300000000`). ANALYZE samples 300 rows per unit
 * of the largest target, and these tables are read only through their keys (a stream, an event
 * id, the relay's or read-all's order), where ten common values and ten histogram buckets give
 * the planner all it uses. Autovacuum analyses them as they grow, in bursts on the cores the
 * services run on: an ANALYZE of 50 000 events took 100 ms, 10 ms after (2026-12-07), and in
 * bench:orders at 100 orders/s it was most of each database's autovacuum visit (0.1–0.15 s of
 * CPU once a minute), which queues up orders behind it.
 */
export class CoarseKeyStatistics1733600000000 implements MigrationInterface {
  readonly name = 'CoarseKeyStatistics1733600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await setStatisticsTargets(queryRunner, KEY_COLUMNS, COARSE_TARGET);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await setStatisticsTargets(queryRunner, KEY_COLUMNS, DEFAULT_TARGET);
  }
}

const COARSE_TARGET = 10;

/** Every column of these tables but the payloads, whose target is 0. */
const KEY_COLUMNS: ColumnsByTable = [
  [
    'events',
    [
      'global_position',
      'transaction_id',
      'stream_id',
      'stream_version',
      'event_id',
      'event_type',
      'schema_version',
      'recorded_at',
    ],
  ],
  ['outbox', ['position', 'transaction_id', 'message_id', 'topic', 'key', 'created_at']],
  [
    'inbox',
    [
      'consumer_group',
      'event_id',
      'event_type',
      'source_topic',
      'source_partition',
      'source_offset',
      'processed_at',
    ],
  ],
];
