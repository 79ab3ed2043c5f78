// SQL statements per order, by service database: the steadiest figure of the platform's cost
// (every statement is a round trip, and CPU on both sides of it), where CPU per order moves
// with the machine's speed from run to run. Read from pg_stat_statements, which the stack's
// embedded PostgreSQL preloads when started with FULFIL_POSTGRES_STATEMENT_STATS=1; BEGIN and
// COMMIT count as statements.
import pg from 'pg';
import { round } from '@fulfil/local-infra';

export class StatementCounts {
  private constructor(
    private readonly client: pg.Client,
    private readonly databases: readonly string[],
  ) {}

  /**
   * Connects to the server's maintenance database and creates the extension there (its view
   * shows every database's statements); undefined, with the reason printed, when the server
   * does not preload pg_stat_statements.
   */
  static async connect(
    serverUrl: string,
    databases: readonly string[],
  ): Promise<StatementCounts | undefined> {
    const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
    await client.connect();
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await client.query('SELECT pg_stat_statements_reset()');
    } catch (error) {
      console.log(`no statement counts: ${(error as Error).message}`);
      await client.end();
      return undefined;
    }
    return new StatementCounts(client, databases);
  }

  /** Forgets the counts so far: the next `perUnit` counts from here. */
  async reset(): Promise<void> {
    await this.client.query('SELECT pg_stat_statements_reset()');
  }

  /** Statements since the last reset, per database and in total, divided by `units`. */
  async perUnit(units: number): Promise<{ total: number; byDatabase: Record<string, number> }> {
    const { rows } = await this.client.query<{ datname: string; calls: string }>(
      `SELECT d.datname, sum(s.calls)::text AS calls
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = ANY($1::text[])
        GROUP BY d.datname`,
      [this.databases],
    );
    const byDatabase: Record<string, number> = {};
    let total = 0;
    for (const database of this.databases) {
      const calls = Number(rows.find((row) => row.datname === database)?.calls ?? 0);
      byDatabase[database] = round(calls / Math.max(1, units));
      total += calls;
    }
    return { total: round(total / Math.max(1, units)), byDatabase };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** One line: the total and each database's share. */
export function describeStatements({
  total,
  byDatabase,
}: {
  total: number;
  byDatabase: Record<string, number>;
}): string {
  const parts = Object.entries(byDatabase).map(([database, count]) => `${database} ${count}`);
  return `statements per order ${total}: ${parts.join(', ')}`;
}
