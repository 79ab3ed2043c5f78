import type { Pool } from 'pg';
import { Gauge, type Registry } from 'prom-client';

type OutboxStats = (relay: string) => Promise<{ backlog: number; oldest: number }>;
const metricSources = new WeakMap<Registry, Map<string, OutboxStats>>();

/**
 * Registers `outbox_backlog` and `outbox_oldest_age_seconds` of relay `name` in `registry`
 * (one pair of gauges per registry, labelled by relay); both query the database on scrape.
 */
export function registerOutboxMetrics(registry: Registry, name: string, pool: Pool): void {
  let sources = metricSources.get(registry);
  if (!sources) {
    sources = new Map();
    metricSources.set(registry, sources);
    registerOutboxGauges(registry, sources);
  }
  // A later relay of the same name (a restart) replaces the earlier one's source.
  sources.set(name, async (relay) => {
    const { rows } = await pool.query<{ backlog: string; oldest: number | null }>(
      `SELECT count(*)::text AS backlog,
              extract(epoch FROM now() - min(o.created_at))::float8 AS oldest
         FROM outbox o
         LEFT JOIN outbox_relay_checkpoints c ON c.relay = $1
        WHERE c.relay IS NULL OR (o.transaction_id, o.position) > (c.transaction_id, c.position)`,
      [relay],
    );
    return { backlog: Number(rows[0]?.backlog ?? 0), oldest: rows[0]?.oldest ?? 0 };
  });
}

function registerOutboxGauges(registry: Registry, sources: Map<string, OutboxStats>): void {
  const collectAll = async (gauge: Gauge<'relay'>, pick: 'backlog' | 'oldest') => {
    for (const [relay, stats] of sources) gauge.set({ relay }, (await stats(relay))[pick]);
  };
  new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox rows not yet published (after the relay checkpoint)',
    labelNames: ['relay'],
    registers: [registry],
    async collect() {
      await collectAll(this, 'backlog');
    },
  });
  new Gauge({
    name: 'outbox_oldest_age_seconds',
    help: 'Age of the oldest outbox row not yet published, seconds (0 when none)',
    labelNames: ['relay'],
    registers: [registry],
    async collect() {
      await collectAll(this, 'oldest');
    },
  });
}
