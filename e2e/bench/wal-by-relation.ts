// Which tables and indexes the WAL of a phase was written for (`BENCH_WAL_BY_RELATION=N`):
// the bytes of WAL per order charged to each relation of the service databases, read with
// pg_walinspect (which ships with the embedded binaries) between two WAL positions. A record
// is charged to the relation of its first block; records that touch no block (commits, mostly)
// are charged to their resource manager. WAL is what PostgreSQL writes, checksums and flushes
// for every change, so this says what an order's rows and index entries cost it.
import pg from 'pg';
import { databaseUrl, round } from '@fulfil/local-infra';

/** WAL of one relation (or of records without a block), per order. */
export interface RelationWal {
  /** `database.relation`, or `(resource manager)` for records without a block. */
  readonly relation: string;
  readonly kilobytes: number;
  readonly records: number;
}

interface WalRow {
  readonly reldatabase: string | null;
  readonly relfilenode: string | null;
  readonly rmgr: string;
  readonly bytes: string;
  readonly records: string;
}

export class WalByRelation {
  private start = '0/0';

  private constructor(
    private readonly client: pg.Client,
    private readonly serverUrl: string,
    private readonly topCount: number,
  ) {}

  /** Undefined, with the reason printed, where pg_walinspect cannot be created. */
  static async connect(serverUrl: string, topCount: number): Promise<WalByRelation | undefined> {
    const client = new pg.Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
    await client.connect();
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
    } catch (error) {
      console.log(`no WAL by relation: ${(error as Error).message}`);
      await client.end();
      return undefined;
    }
    const wal = new WalByRelation(client, serverUrl, topCount);
    await wal.reset();
    return wal;
  }

  async reset(): Promise<void> {
    const { rows } = await this.client.query<{ lsn: string }>(
      'SELECT pg_current_wal_insert_lsn()::text AS lsn',
    );
    this.start = rows[0]!.lsn;
  }

  /** The `topCount` relations with the most WAL since the last reset, per `units`. */
  async perUnit(units: number): Promise<RelationWal[]> {
    // Block 0 of each record names its relation; a record without blocks has no row in the
    // block view, so it is counted from the record view instead.
    const { rows } = await this.client.query<WalRow>(
      `WITH bounds AS (SELECT $1::pg_lsn AS low, pg_current_wal_insert_lsn() AS high),
            records AS (
              SELECT r.start_lsn, r.resource_manager, r.record_length
                FROM bounds, pg_get_wal_records_info(bounds.low, bounds.high) r),
            first_blocks AS (
              SELECT DISTINCT ON (b.start_lsn) b.start_lsn, b.reldatabase, b.relfilenode
                FROM bounds, pg_get_wal_block_info(bounds.low, bounds.high) b
               ORDER BY b.start_lsn, b.block_id)
       SELECT f.reldatabase::text, f.relfilenode::text, r.resource_manager AS rmgr,
              sum(r.record_length)::text AS bytes, count(*)::text AS records
         FROM records r LEFT JOIN first_blocks f USING (start_lsn)
        GROUP BY 1, 2, 3`,
      [this.start],
    );
    const names = await this.relationNames(rows);
    const totals = new Map<string, { bytes: number; records: number }>();
    for (const row of rows) {
      const relation =
        row.relfilenode === null
          ? `(${row.rmgr})`
          : (names.get(`${row.reldatabase}/${row.relfilenode}`) ?? `(${row.rmgr} other)`);
      const total = totals.get(relation) ?? { bytes: 0, records: 0 };
      total.bytes += Number(row.bytes);
      total.records += Number(row.records);
      totals.set(relation, total);
    }
    const per = (count: number) => round(count / Math.max(1, units));
    return [...totals]
      .map(([relation, total]) => ({
        relation,
        kilobytes: per(total.bytes / 1024),
        records: per(total.records),
      }))
      .sort((a, b) => b.kilobytes - a.kilobytes)
      .slice(0, this.topCount);
  }

  /** `database oid/filenode` → `database.relation`, asking each database that wrote WAL. */
  private async relationNames(rows: readonly WalRow[]): Promise<Map<string, string>> {
    const byDatabase = new Map<string, Set<string>>();
    for (const row of rows) {
      if (row.reldatabase === null || row.relfilenode === null) continue;
      const nodes = byDatabase.get(row.reldatabase) ?? new Set<string>();
      nodes.add(row.relfilenode);
      byDatabase.set(row.reldatabase, nodes);
    }
    const names = new Map<string, string>();
    for (const [oid, nodes] of byDatabase) {
      const { rows: found } = await this.client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE oid = $1::oid',
        [oid],
      );
      const datname = found[0]?.datname;
      if (!datname) continue;
      const client = new pg.Client({ connectionString: databaseUrl(this.serverUrl, datname) });
      await client.connect();
      try {
        const { rows: relations } = await client.query<{ node: string; name: string | null }>(
          `SELECT node, pg_filenode_relation(0, node::oid)::regclass::text AS name
             FROM unnest($1::text[]) AS node`,
          [[...nodes]],
        );
        for (const { node, name } of relations) {
          if (name) names.set(`${oid}/${node}`, `${datname}.${name}`);
        }
      } finally {
        await client.end();
      }
    }
    return names;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** Lines of `kB (records) relation`, indented under the rate's database line. */
export function describeWalByRelation(relations: readonly RelationWal[]): string {
  return relations
    .map((r) => `\n    ${r.kilobytes} kB, ${r.records} records: ${r.relation}`)
    .join('');
}
