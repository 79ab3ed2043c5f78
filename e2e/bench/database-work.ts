// What the platform asks of PostgreSQL per order: the SQL statements, by service database
// (every statement is a round trip, with CPU on both sides), and the WAL it writes (rows,
// index entries and commits: most of PostgreSQL's own cost per order), and the WAL flushes
// (each durable commit waits for one, unless another commit's flush covered it: the costliest
// wake-ups of a busy stack). All barely move with the machine's speed, where CPU per order
// does from run to run. Statements are read from
// pg_stat_statements, which the stack's embedded PostgreSQL preloads when started with
// FULFIL_POSTGRES_STATEMENT_STATS=1; BEGIN and COMMIT count as statements.
import pg from 'pg';
import { databaseUrl, round } from '@fulfil/local-infra';
import { describeWalByRelation, WalByRelation, type RelationWal } from './wal-by-relation';

/** Per order (or other unit) since the last reset. */
export interface DatabaseWorkPerUnit {
  readonly statements: number;
  readonly statementsByDatabase: Readonly<Record<string, number>>;
  readonly walKilobytes: number;
  /** Whole pages copied into the WAL: a page's first change after a checkpoint (≤ 8 kB each). */
  readonly fullPageImages: number;
  /** WAL fsyncs of every process (pg_stat_io, PostgreSQL 18+; undefined before). */
  readonly walFlushes: number | undefined;
  /** The statements that took PostgreSQL the most execution time (`BENCH_TOP_STATEMENTS`). */
  readonly topStatements: readonly TopStatement[];
  /** The relations with the most WAL (`BENCH_WAL_BY_RELATION`). */
  readonly walByRelation: readonly RelationWal[];
}

/** One normalised statement of one database, per order. */
export interface TopStatement {
  readonly database: string;
  readonly calls: number;
  /** Its execution time (planning excluded), ms. */
  readonly executionMs: number;
  /** Its text, whitespace folded, cut to 100 characters. */
  readonly query: string;
}

interface WalCounters {
  readonly bytes: number;
  readonly fullPageImages: number;
  readonly flushes: number | undefined;
}

export class DatabaseWork {
  private walAtReset: WalCounters = { bytes: 0, fullPageImages: 0, flushes: undefined };

  private constructor(
    private readonly client: pg.Client,
    private readonly databases: readonly string[],
    private readonly topCount: number,
    private readonly walByRelation: WalByRelation | undefined,
  ) {}

  /**
   * Connects to the server's maintenance database and creates the extension there (its view
   * shows every database's statements); undefined, with the reason printed, when the server
   * does not preload pg_stat_statements.
   */
  static async connect(
    serverUrl: string,
    databases: readonly string[],
    topCount = 0,
    walRelationCount = 0,
  ): Promise<DatabaseWork | undefined> {
    const client = new pg.Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
    await client.connect();
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    } catch (error) {
      console.log(`no statement counts: ${(error as Error).message}`);
      await client.end();
      return undefined;
    }
    const walByRelation =
      walRelationCount > 0 ? await WalByRelation.connect(serverUrl, walRelationCount) : undefined;
    const work = new DatabaseWork(client, databases, topCount, walByRelation);
    await work.reset();
    return work;
  }

  /** Forgets the counts so far: the next `perUnit` counts from here. */
  async reset(): Promise<void> {
    await this.client.query('SELECT pg_stat_statements_reset()');
    this.walAtReset = await this.walCounters();
    await this.walByRelation?.reset();
  }

  /**
   * The server's WAL so far, kept since start: bytes and full-page images (pg_stat_wal), and
   * fsyncs of the WAL by any process (pg_stat_io counts WAL I/O from PostgreSQL 18 on; each
   * process reports with up to a second's delay, a small error on a phase of many seconds).
   */
  private async walCounters(): Promise<WalCounters> {
    const { rows } = await this.client.query<{
      bytes: string;
      fpi: string;
      flushes: string | null;
    }>(
      `SELECT wal_bytes::text AS bytes, wal_fpi::text AS fpi,
              CASE WHEN current_setting('server_version_num')::int >= 180000
                   THEN (SELECT sum(fsyncs)::text FROM pg_stat_io WHERE object = 'wal') END AS flushes
         FROM pg_stat_wal`,
    );
    const row = rows[0]!;
    return {
      bytes: Number(row.bytes),
      fullPageImages: Number(row.fpi),
      flushes: row.flushes === null ? undefined : Number(row.flushes),
    };
  }

  /** Statements (per database and in total) and WAL since the last reset, divided by `units`. */
  async perUnit(units: number): Promise<DatabaseWorkPerUnit> {
    const { rows } = await this.client.query<{ datname: string; calls: string }>(
      `SELECT d.datname, sum(s.calls)::text AS calls
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = ANY($1::text[])
        GROUP BY d.datname`,
      [this.databases],
    );
    const wal = await this.walCounters();
    const per = (count: number) => count / Math.max(1, units);
    const statementsByDatabase: Record<string, number> = {};
    let total = 0;
    for (const database of this.databases) {
      const calls = Number(rows.find((row) => row.datname === database)?.calls ?? 0);
      statementsByDatabase[database] = round(per(calls));
      total += calls;
    }
    return {
      topStatements: await this.topStatements(per),
      walByRelation: (await this.walByRelation?.perUnit(units)) ?? [],
      statements: round(per(total)),
      statementsByDatabase,
      walKilobytes: round(per((wal.bytes - this.walAtReset.bytes) / 1024)),
      fullPageImages: round(per(wal.fullPageImages - this.walAtReset.fullPageImages)),
      walFlushes:
        wal.flushes === undefined || this.walAtReset.flushes === undefined
          ? undefined
          : round(per(wal.flushes - this.walAtReset.flushes)),
    };
  }

  /** The `topCount` statements of the counted databases with the most execution time. */
  private async topStatements(per: (count: number) => number): Promise<TopStatement[]> {
    if (this.topCount === 0) return [];
    const { rows } = await this.client.query<{
      datname: string;
      calls: string;
      ms: number;
      query: string;
    }>(
      `SELECT d.datname, s.calls::text AS calls, s.total_exec_time AS ms,
              left(regexp_replace(s.query, '\\s+', ' ', 'g'), 100) AS query
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = ANY($1::text[])
        ORDER BY s.total_exec_time DESC LIMIT $2`,
      [this.databases, this.topCount],
    );
    return rows.map((row) => ({
      database: row.datname,
      calls: round(per(Number(row.calls))),
      executionMs: round(per(row.ms)),
      query: row.query,
    }));
  }

  async close(): Promise<void> {
    await this.walByRelation?.close();
    await this.client.end();
  }
}

/** One line: the statements in total and by database, and the WAL. */
export function describeDatabaseWork(work: DatabaseWorkPerUnit): string {
  const parts = Object.entries(work.statementsByDatabase).map(([db, count]) => `${db} ${count}`);
  const flushes = work.walFlushes === undefined ? '' : `, ${work.walFlushes} flushes`;
  const wal = `WAL ${work.walKilobytes} kB (${work.fullPageImages} full-page images${flushes})`;
  const top = work.topStatements.map(
    (t) => `\n    ${t.executionMs} ms, ${t.calls}× ${t.database}: ${t.query}`,
  );
  const statements = `statements per order ${work.statements} (${parts.join(', ')})`;
  return `${statements}, ${wal}${top.join('')}${describeWalByRelation(work.walByRelation)}`;
}
