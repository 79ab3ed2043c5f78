// Which tables autovacuum visited during a phase, and at which second of it. Its workers run on
// the same two cores as the platform, in bursts: a visit of a service database vacuumed and
// analysed several tables at once (deadlines, payment orders and idempotency keys collect
// thousands of dead rows a minute at 100 orders/s; the insert-only tables are vacuumed by
// their insert counts), 0.35–0.84 s of CPU within one or two seconds (2026-12-06, Node 24
// stack at 100/s, sampled from /proc). Next to the latency of each second (`BENCH_LATENCY_BY_SECOND=1`) this tells
// whether a queue that built up mid-phase followed such a visit.
import pg from 'pg';
import { databaseUrl } from '@fulfil/local-infra';

/** A table autovacuum last vacuumed or analysed during the phase. */
export interface AutovacuumRun {
  readonly database: string;
  readonly table: string;
  /** Seconds from the phase's start to the end of the table's last run in it. */
  readonly atSecond: number;
}

/**
 * The tables of `databases` whose last autovacuum or autoanalyze ended at or after `since`
 * (pg_stat_user_tables keeps only each table's last run: a table visited twice counts once).
 */
export async function autovacuumRunsSince(
  serverUrl: string,
  databases: readonly string[],
  since: number,
): Promise<AutovacuumRun[]> {
  const runs: AutovacuumRun[] = [];
  for (const database of databases) {
    const client = new pg.Client({ connectionString: databaseUrl(serverUrl, database) });
    await client.connect();
    try {
      const { rows } = await client.query<{ relname: string; at: Date }>(
        `SELECT relname, greatest(last_autovacuum, last_autoanalyze) AS at
           FROM pg_stat_user_tables
          WHERE greatest(last_autovacuum, last_autoanalyze) >= $1`,
        [new Date(since)],
      );
      for (const row of rows) {
        const atSecond = Math.round((row.at.getTime() - since) / 100) / 10;
        runs.push({ database, table: row.relname, atSecond });
      }
    } finally {
      await client.end();
    }
  }
  return runs.sort((a, b) => a.atSecond - b.atSecond);
}

/** One line: the runs by database and second, or that there were none. */
export function describeAutovacuumRuns(runs: readonly AutovacuumRun[]): string {
  if (runs.length === 0) return 'autovacuum: no table visited during the phase';
  const visits = new Map<string, string[]>();
  for (const run of runs) {
    const visit = `${run.database} at ${Math.floor(run.atSecond)} s`;
    visits.set(visit, [...(visits.get(visit) ?? []), run.table]);
  }
  const described = [...visits].map(([visit, tables]) => `${visit} (${tables.join(', ')})`);
  return `autovacuum, last run of each table during the phase: ${described.join('; ')}`;
}
