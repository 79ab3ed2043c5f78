/**
 * Throughput of our event store (`@fulfil/event-store`) next to Emmett's PostgreSQL event store
 * (`@event-driven-io/emmett-postgresql`), side by side in one run: one embedded PostgreSQL on
 * loopback, two fresh databases on it (ours migrated with `CREATE_EVENT_STORE_SQL`, Emmett's
 * with its own schema), the same ~300-byte JSON event and pools of the same size.
 *
 *  1. append: 1 and 10 events per transaction × 1, 8 and 32 concurrent writers. Each writer
 *     owns its streams (a new stream every 20 transactions) and passes the exact expected
 *     version (ours: `expectedVersion: n`, Emmett: `expectedStreamVersion: n`). Each case runs
 *     `--seconds` per store; the order of the two stores alternates from case to case.
 *  2. read-all: everything written, from the start, in pages of 1000 — ours `readAll({ after,
 *     limit: 1000 })`, Emmett `readMessagesBatch(executor, { after, batchSize: 1000 })` (the
 *     query its message batch puller runs, called back to back without the puller's sleeps).
 *     The smaller store is first topped up (untimed) so both read the same number of events.
 *  3. relay: the outbox relay (`@fulfil/messaging`'s `OutboxRelay`) next to a raw kafkajs
 *     producer sending the same messages — `npm run bench:relay`'s script with its defaults,
 *     in a child process with its own PostgreSQL and broker, after this one's PostgreSQL has
 *     stopped (importing the script would make this library depend on messaging, which
 *     depends on this one). Its report is passed through and its figures
 *     (`relay_msgs_per_s`, `raw_msgs_per_s`, `ratio_relay_raw`, …) join the final JSON line.
 *
 *   npx tsx libs/event-store/bench/eventstore.bench.ts [--seconds N] [--no-fsync] [--explain]
 *     [--no-relay]
 *
 * `--explain` adds round trips per append and EXPLAIN ANALYZE of both stores' statements;
 * `--no-relay` skips the relay phase. Prints a table per phase with its target ("every append
 * and read case at least as fast as Emmett's"; relay ≥ 0.7 × raw) and, as the very last line,
 * one JSON object. Aborts after 5 minutes (more with a large `--seconds`); PostgreSQL and the
 * broker are stopped and their data directories removed however the run ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { dumbo, type SQLExecutor } from '@event-driven-io/dumbo';
import {
  getPostgreSQLEventStore,
  readMessagesBatch,
  type PostgresEventStore,
} from '@event-driven-io/emmett-postgresql';
import {
  createDatabase,
  percentile,
  round,
  runBenchmark,
  startCpuMeter,
  startEmbeddedPostgres,
  type CpuShare,
  type EmbeddedPostgres,
} from '@fulfil/local-infra';
import { CREATE_EVENT_STORE_SQL, EventStore, type Checkpoint } from '../src';
import { freePort } from '@fulfil/testing';

const BATCH_SIZES = [1, 10] as const;
const WRITER_COUNTS = [1, 8, 32] as const;
const TRANSACTIONS_PER_STREAM = 20;
const PAGE_SIZE = 1000;
/** Same for both stores; above the largest writer count so no writer waits for a connection. */
const POOL_MAX = 40;
const WARM_UP_MS = 1500;

/** An OrderPlaced-like event: its data is ~300 bytes of JSON. */
const PAYLOAD = {
  orderId: 'ord-7f3c2a91-5b8e-4d6a-9c1f-2e4b6d8a0c13',
  customerId: 'cus-1a2b3c4d',
  channel: 'web',
  currency: 'EUR',
  lines: [
    { sku: 'SKU-000123', quantity: 2, unitPriceCents: 1999 },
    { sku: 'SKU-004711', quantity: 1, unitPriceCents: 4999 },
  ],
  totalCents: 8997,
  shippingCountry: 'DE',
  placedAt: '2026-11-23T10:15:30.000Z',
};
const METADATA = { correlationId: 'corr-5e1d', causationId: 'cmd-9a7b', actor: 'bench' };
const PAYLOAD_BYTES = Buffer.byteLength(JSON.stringify(PAYLOAD));
const EVENT_TYPE = 'OrderPlaced';

interface Settings {
  readonly seconds: number;
  readonly noFsync: boolean;
  readonly explain: boolean;
  readonly relay: boolean;
}

function parseSettings(argv: readonly string[]): Settings {
  let seconds = 5;
  let noFsync = false;
  let explain = false;
  let relay = true;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--seconds') {
      seconds = Number(argv[(i += 1)]);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 120) {
        console.error(`--seconds needs a number in (0, 120], got "${argv[i]}"`);
        process.exit(2);
      }
    } else if (arg === '--no-fsync') noFsync = true;
    else if (arg === '--explain') explain = true;
    else if (arg === '--no-relay') relay = false;
    else {
      console.error(
        `unknown argument "${arg}"; flags: --seconds N, --no-fsync, --explain, --no-relay`,
      );
      process.exit(2);
    }
  }
  return { seconds, noFsync, explain, relay };
}

/**
 * The pg type parsers as they are before Emmett's pool exists: dumbo replaces the global
 * parsers of bigint and json/jsonb (BigInt, a JSON reviver) when its pool is created. Our pool
 * keeps the stock ones, as in production; Emmett runs with its own, as in production.
 */
const STOCK_PARSER_OIDS = [20, 114, 3802];
const stockParsers = new Map(STOCK_PARSER_OIDS.map((oid) => [oid, pg.types.getTypeParser(oid)]));
const stockTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (format !== 'binary' && stockParsers.get(oid)) ||
    pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** One store under test, behind the operations the benchmark needs. */
interface Subject {
  readonly name: 'ours' | 'emmett';
  /** Appends `count` events to `stream`, which is at `version`. */
  append(stream: string, version: number, count: number): Promise<void>;
  /** Reads everything from the start in pages of PAGE_SIZE; resolves with the count read. */
  readAll(): Promise<number>;
  /** Untimed: reads everything again and counts distinct events (global positions). */
  distinctRead(): Promise<{ returned: number; distinct: number }>;
  /** Rows in the store's event table. */
  countEvents(): Promise<number>;
  vacuum(): Promise<void>;
  close(): Promise<void>;
}

function newStream(): string {
  return `order-${randomUUID()}`;
}

async function ourSubject(url: string): Promise<Subject & { pool: pg.Pool; store: EventStore }> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_MAX, types: stockTypes });
  for (const statement of CREATE_EVENT_STORE_SQL) await pool.query(statement);
  const store = new EventStore(pool);
  const events = (count: number) =>
    Array.from({ length: count }, () => ({ type: EVENT_TYPE, data: PAYLOAD, metadata: METADATA }));
  return {
    name: 'ours',
    pool,
    store,
    append: async (stream, version, count) => {
      await store.appendToStream(stream, events(count), { expectedVersion: version });
    },
    readAll: async () => {
      let after: Checkpoint | null = null;
      let read = 0;
      for (;;) {
        const page = await store.readAll({ after, limit: PAGE_SIZE });
        if (page.events.length === 0) return read;
        read += page.events.length;
        after = page.checkpoint;
      }
    },
    distinctRead: async () => {
      const seen = new Set<string>();
      let after: Checkpoint | null = null;
      let returned = 0;
      for (;;) {
        const page = await store.readAll({ after, limit: PAGE_SIZE });
        if (page.events.length === 0) return { returned, distinct: seen.size };
        returned += page.events.length;
        for (const event of page.events) seen.add(event.globalPosition);
        after = page.checkpoint;
      }
    },
    countEvents: async () =>
      Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events')).rows[0].n),
    vacuum: async () => void (await pool.query('VACUUM (ANALYZE) events')),
    close: () => pool.end(),
  };
}

async function emmettSubject(
  url: string,
): Promise<Subject & { pool: pg.Pool; store: PostgresEventStore; executor: SQLExecutor }> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_MAX });
  const store = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
  await store.schema.migrate();
  // The executor its consumers use: a dumbo pool over the same pg pool.
  const executor = dumbo({ connectionString: url, pool }).execute;
  const events = (count: number) =>
    Array.from({ length: count }, () => ({
      type: EVENT_TYPE,
      data: PAYLOAD,
      metadata: METADATA,
    }));
  return {
    name: 'emmett',
    pool,
    store,
    executor,
    append: async (stream, version, count) => {
      await store.appendToStream(stream, events(count), {
        expectedStreamVersion: BigInt(version),
      });
    },
    readAll: async () => {
      let after = 0n;
      let read = 0;
      for (;;) {
        const page = await readMessagesBatch(executor, { after, batchSize: PAGE_SIZE });
        if (page.messages.length === 0) return read;
        read += page.messages.length;
        after = page.currentGlobalPosition;
      }
    },
    distinctRead: async () => {
      const seen = new Set<bigint>();
      let after = 0n;
      let returned = 0;
      for (;;) {
        const page = await readMessagesBatch(executor, { after, batchSize: PAGE_SIZE });
        if (page.messages.length === 0) return { returned, distinct: seen.size };
        returned += page.messages.length;
        for (const message of page.messages) seen.add(message.metadata.globalPosition);
        after = page.currentGlobalPosition;
      }
    },
    countEvents: async () =>
      Number(
        (await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM emt_messages')).rows[0].n,
      ),
    vacuum: async () => {
      await pool.query('VACUUM (ANALYZE) emt_messages');
      await pool.query('VACUUM (ANALYZE) emt_streams');
    },
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}

interface AppendFigures {
  readonly transactions: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly transactionsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpu: CpuShare;
}

/** `writers` loops appending `batch` events per transaction until `ms` have passed. */
async function appendFor(
  subject: Subject,
  batch: number,
  writers: number,
  ms: number,
  postmasterPid: number,
): Promise<AppendFigures> {
  const latencies: number[] = [];
  const meter = startCpuMeter([postmasterPid]);
  const started = performance.now();
  const deadline = started + ms;
  const loop = async (): Promise<number> => {
    let stream = newStream();
    let version = 0;
    let done = 0;
    while (performance.now() < deadline) {
      const before = performance.now();
      await subject.append(stream, version, batch);
      latencies.push(performance.now() - before);
      done += 1;
      version += batch;
      if (version === batch * TRANSACTIONS_PER_STREAM) {
        stream = newStream();
        version = 0;
      }
    }
    return done;
  };
  const counts = await Promise.all(Array.from({ length: writers }, loop));
  const seconds = (performance.now() - started) / 1000;
  const cpu = meter.stop();
  const transactions = counts.reduce((a, b) => a + b, 0);
  latencies.sort((a, b) => a - b);
  return {
    transactions,
    events: transactions * batch,
    seconds,
    eventsPerSecond: (transactions * batch) / seconds,
    transactionsPerSecond: transactions / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpu,
  };
}

/** Untimed: appends 10-event transactions on 8 writers until the store holds `target` events. */
async function fillTo(subject: Subject, target: number): Promise<void> {
  let missing = target - (await subject.countEvents());
  const loop = async () => {
    let stream = newStream();
    let version = 0;
    while (missing > 0) {
      const count = Math.min(10, missing);
      missing -= count;
      await subject.append(stream, version, count);
      version += count;
      if (version >= 10 * TRANSACTIONS_PER_STREAM) {
        stream = newStream();
        version = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, loop));
}

interface ReadFigures {
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly runs: readonly number[];
  readonly cpu: CpuShare;
}

async function readAllTimed(subject: Subject, postmasterPid: number): Promise<ReadFigures> {
  const meter = startCpuMeter([postmasterPid]);
  const started = performance.now();
  const events = await subject.readAll();
  const seconds = (performance.now() - started) / 1000;
  return { events, eventsPerSecond: events / seconds, runs: [events / seconds], cpu: meter.stop() };
}

const bestOf = (runs: readonly ReadFigures[]): ReadFigures => {
  const best = runs.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
  return { ...best, runs: runs.map((r) => r.eventsPerSecond) };
};

/** Counts the statements one call sends (every pg query is one round trip here). */
async function roundTrips(work: () => Promise<unknown>): Promise<number> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let calls = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    calls += 1;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  return calls;
}

async function explainPlans(
  ours: Awaited<ReturnType<typeof ourSubject>>,
  emmett: Awaited<ReturnType<typeof emmettSubject>>,
): Promise<Record<string, number>> {
  const trips = {
    round_trips_append_new_stream_ours: await roundTrips(() => ours.append(newStream(), 0, 10)),
    round_trips_append_new_stream_emmett: await roundTrips(() => emmett.append(newStream(), 0, 10)),
  };
  const explain = async (label: string, pool: pg.Pool, sql: string, params: unknown[] = []) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON) ${sql}`,
        params,
      );
      console.log(`\n-- ${label}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  };
  const { rows: sample } = await ours.pool.query<{ stream_id: string }>(
    'SELECT stream_id FROM events ORDER BY global_position DESC LIMIT 1',
  );
  const stream = sample[0]?.stream_id ?? newStream();
  console.log(`\nRound trips per append (10 events, new stream): ${JSON.stringify(trips)}`);
  await explain(
    'ours: version lookup of appendToStream',
    ours.pool,
    `SELECT last.stream_version AS version, last.transaction_id::text AS last_tx,
            pg_current_xact_id_if_assigned()::text AS own_tx
       FROM (SELECT 1) AS one
       LEFT JOIN LATERAL (
         SELECT stream_version, transaction_id FROM events
          WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1
       ) AS last ON true`,
    [stream],
  );
  const data = JSON.stringify(PAYLOAD);
  const meta = JSON.stringify({ ...METADATA, eventId: randomUUID() });
  await explain(
    'ours: INSERT of appendToStream (10 events, rolled back)',
    ours.pool,
    `INSERT INTO events
       (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at)
     SELECT $1, $2::int + e.ord::int, e.event_id, e.event_type, e.schema_version, e.data,
            e.metadata, coalesce(e.recorded_at, now())
       FROM unnest($3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[], $8::timestamptz[])
            WITH ORDINALITY AS e(event_id, event_type, schema_version, data, metadata, recorded_at, ord)
      ORDER BY e.ord
     RETURNING global_position::text, stream_version`,
    [
      newStream(),
      0,
      Array.from({ length: 10 }, () => randomUUID()),
      Array(10).fill(EVENT_TYPE),
      Array(10).fill(1),
      Array(10).fill(data),
      Array(10).fill(meta),
      Array(10).fill(null),
    ],
  );
  await explain(
    'ours: first page of readAll (limit 1000)',
    ours.pool,
    `SELECT global_position::text, transaction_id::text, stream_id, stream_version,
            event_id::text, event_type, schema_version, data, metadata, recorded_at FROM events
      WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY events.transaction_id, events.global_position
      LIMIT $3`,
    ['0', '0', PAGE_SIZE],
  );
  const ids = Array.from({ length: 10 }, () => `'${randomUUID()}'`).join(',');
  const datas = Array(10).fill(`'${data}'`).join(',');
  const metas = Array(10)
    .fill(`'${JSON.stringify({ ...METADATA, messageId: randomUUID() })}'`)
    .join(',');
  const texts = (value: string) => Array(10).fill(`'${value}'`).join(',');
  await explain(
    'emmett: emt_append_to_stream (10 events, new stream, rolled back)',
    emmett.pool,
    `SELECT * FROM emt_append_to_stream(ARRAY[${ids}]::text[], ARRAY[${datas}]::jsonb[],
       ARRAY[${metas}]::jsonb[], ARRAY[${texts('1')}]::text[], ARRAY[${texts(EVENT_TYPE)}]::text[],
       ARRAY[${texts('E')}]::text[], '${newStream()}'::text, 'order'::text, 0::bigint,
       'emt:default'::text)`,
  );
  await explain(
    'emmett: first page of readMessagesBatch (batchSize 1000)',
    emmett.pool,
    `SELECT stream_id, stream_position, global_position, message_data, message_metadata,
            message_schema_version, message_type, message_id
       FROM emt_messages
      WHERE partition = 'emt:default' AND is_archived = FALSE
        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot()) AND global_position >= 1
      ORDER BY transaction_id, global_position
      LIMIT ${PAGE_SIZE}`,
  );
  return trips;
}

interface CaseResult {
  readonly batch: number;
  readonly writers: number;
  readonly ours: AppendFigures;
  readonly emmett: AppendFigures;
}

interface Results {
  readonly cases: readonly CaseResult[];
  readonly read: {
    ours: ReadFigures;
    emmett: ReadFigures;
    written: number;
    distinct: Record<Subject['name'], { returned: number; distinct: number }>;
  };
  readonly trips: Record<string, number>;
}

async function run(
  settings: Settings,
  server: EmbeddedPostgres,
  postmasterPid: number,
): Promise<Results> {
  const ourUrl = await createDatabase(server.url, 'bench_ours');
  const emmettUrl = await createDatabase(server.url, 'bench_emmett');
  const ours = await ourSubject(ourUrl);
  const emmett = await emmettSubject(emmettUrl);
  try {
    // Warm both: connections opened, plans cached, JIT warm.
    for (const subject of [ours, emmett]) await appendFor(subject, 1, 8, WARM_UP_MS, postmasterPid);

    const cases: CaseResult[] = [];
    let oursFirst = true;
    for (const batch of BATCH_SIZES) {
      for (const writers of WRITER_COUNTS) {
        const ms = settings.seconds * 1000;
        const order = oursFirst ? [ours, emmett] : [emmett, ours];
        const figures: Partial<Record<Subject['name'], AppendFigures>> = {};
        for (const subject of order) {
          figures[subject.name] = await appendFor(subject, batch, writers, ms, postmasterPid);
        }
        oursFirst = !oursFirst;
        cases.push({ batch, writers, ours: figures.ours!, emmett: figures.emmett! });
        console.error(
          `append ${batch}×${writers}: ours ${Math.round(figures.ours!.eventsPerSecond)} ev/s, ` +
            `emmett ${Math.round(figures.emmett!.eventsPerSecond)} ev/s`,
        );
      }
    }

    const written = Math.max(await ours.countEvents(), await emmett.countEvents());
    for (const subject of [ours, emmett]) {
      await fillTo(subject, written);
      await subject.vacuum();
    }
    const readRuns: Record<Subject['name'], ReadFigures[]> = { ours: [], emmett: [] };
    for (const subject of [ours, emmett, emmett, ours]) {
      readRuns[subject.name].push(await readAllTimed(subject, postmasterPid));
    }
    const read = {
      ours: bestOf(readRuns.ours),
      emmett: bestOf(readRuns.emmett),
      written,
      distinct: { ours: await ours.distinctRead(), emmett: await emmett.distinctRead() },
    };
    console.error(
      `read-all: ours ${Math.round(read.ours.eventsPerSecond)} ev/s, ` +
        `emmett ${Math.round(read.emmett.eventsPerSecond)} ev/s`,
    );
    const trips = settings.explain ? await explainPlans(ours, emmett) : {};
    return { cases, read, trips };
  } finally {
    await ours.close();
    await emmett.close();
  }
}

/** Prints the event store's tables; returns its named figures for the final JSON line. */
function printReport(
  settings: Settings,
  results: Results,
): Record<string, number | boolean | string | null> {
  const cores = availableParallelism();
  const ratio = (a: number, b: number) => round(a / b, 2);
  const verdict = (r: number) => (r >= 1 ? 'met' : 'NOT met');
  console.log(
    `\nEvent store benchmark on ${cores} cores: ours (@fulfil/event-store) vs Emmett ` +
      `(@event-driven-io/emmett-postgresql 0.42), one embedded PostgreSQL on 127.0.0.1, ` +
      `${settings.noFsync ? 'fsync OFF (--no-fsync)' : 'fsync on, synchronous_commit on'}.\n` +
      `  event: "${EVENT_TYPE}", data ${PAYLOAD_BYTES} B of JSON plus small metadata; ` +
      `pg pools of ${POOL_MAX} for each store.\n` +
      `  append: B events per transaction × W writers, ${settings.seconds} s per case and ` +
      `store, each writer on its own streams (new stream every ${TRANSACTIONS_PER_STREAM} ` +
      `transactions) with exact expected versions.\n` +
      `  read-all: every event from the start in pages of ${PAGE_SIZE}; ours readAll(), ` +
      `Emmett readMessagesBatch() (its message batch puller's query, back to back, no sleeps); ` +
      `best of 2 runs each, both stores holding ${results.read.written} events.\n` +
      `  CPU % is of one core; "other" is the rest of the machine (high = figures disturbed).\n`,
  );
  const rows = results.cases.map(({ batch, writers, ours, emmett }) => {
    const r = ratio(ours.eventsPerSecond, emmett.eventsPerSecond);
    return {
      case: `append ${batch}×${writers}`,
      'ours ev/s': Math.round(ours.eventsPerSecond),
      'ours tx/s': Math.round(ours.transactionsPerSecond),
      'ours p50/p99 ms': `${round(ours.p50Ms, 2)}/${round(ours.p99Ms, 2)}`,
      'emmett ev/s': Math.round(emmett.eventsPerSecond),
      'emmett tx/s': Math.round(emmett.transactionsPerSecond),
      'emmett p50/p99 ms': `${round(emmett.p50Ms, 2)}/${round(emmett.p99Ms, 2)}`,
      'ours/emmett': r,
      target: verdict(r),
      'pg CPU % o/e': `${ours.cpu.serverPct ?? 'n/a'}/${emmett.cpu.serverPct ?? 'n/a'}`,
      'node CPU % o/e': `${ours.cpu.clientPct}/${emmett.cpu.clientPct}`,
      'other CPU % o/e': `${ours.cpu.otherPct ?? 'n/a'}/${emmett.cpu.otherPct ?? 'n/a'}`,
    };
  });
  const { read } = results;
  const readRatio = ratio(read.ours.eventsPerSecond, read.emmett.eventsPerSecond);
  rows.push({
    case: `read-all (${PAGE_SIZE}/page)`,
    'ours ev/s': Math.round(read.ours.eventsPerSecond),
    'ours tx/s': 0,
    'ours p50/p99 ms': '',
    'emmett ev/s': Math.round(read.emmett.eventsPerSecond),
    'emmett tx/s': 0,
    'emmett p50/p99 ms': '',
    'ours/emmett': readRatio,
    target: verdict(readRatio),
    'pg CPU % o/e': `${read.ours.cpu.serverPct ?? 'n/a'}/${read.emmett.cpu.serverPct ?? 'n/a'}`,
    'node CPU % o/e': `${read.ours.cpu.clientPct}/${read.emmett.cpu.clientPct}`,
    'other CPU % o/e': `${read.ours.cpu.otherPct ?? 'n/a'}/${read.emmett.cpu.otherPct ?? 'n/a'}`,
  });
  console.table(rows);
  const describe = (name: Subject['name']) => {
    const { returned, distinct } = read.distinct[name];
    const flaws = [
      returned > distinct ? `${returned - distinct} duplicates` : '',
      distinct < read.written ? `${read.written - distinct} events never returned` : '',
    ].filter(Boolean);
    return `${name} ${returned} returned, ${distinct} distinct${flaws.length ? ` (${flaws.join(', ')})` : ''}`;
  };
  console.log(
    `read-all runs (ev/s): ours ${read.ours.runs.map(Math.round).join(', ')}; ` +
      `emmett ${read.emmett.runs.map(Math.round).join(', ')}. Of ${read.written} events: ` +
      `${describe('ours')}; ${describe('emmett')}.`,
  );
  const ratios = [
    ...results.cases.map((c) => c.ours.eventsPerSecond / c.emmett.eventsPerSecond),
    read.ours.eventsPerSecond / read.emmett.eventsPerSecond,
  ];
  const targetMet = ratios.every((r) => r >= 1);
  const failing = rows.filter((row) => row.target !== 'met').map((row) => row.case);
  console.log(
    `Target "every append and read case at least as fast as Emmett's": ` +
      (targetMet ? 'met' : `NOT met (${failing.join(', ')})`),
  );

  const json: Record<string, number | boolean | string | null> = {};
  for (const { batch, writers, ours, emmett } of results.cases) {
    const key = `append_${batch}x${writers}`;
    json[`${key}_ours_eps`] = Math.round(ours.eventsPerSecond);
    json[`${key}_ours_tps`] = Math.round(ours.transactionsPerSecond);
    json[`${key}_emmett_eps`] = Math.round(emmett.eventsPerSecond);
    json[`${key}_emmett_tps`] = Math.round(emmett.transactionsPerSecond);
    json[`${key}_ours_p99_ms`] = round(ours.p99Ms, 2);
    json[`${key}_emmett_p99_ms`] = round(emmett.p99Ms, 2);
    json[`ratio_${key}`] = ratio(ours.eventsPerSecond, emmett.eventsPerSecond);
  }
  json.readall_ours_eps = Math.round(read.ours.eventsPerSecond);
  json.readall_emmett_eps = Math.round(read.emmett.eventsPerSecond);
  json.ratio_readall = readRatio;
  json.readall_events = results.read.written;
  json.readall_ours_returned = read.distinct.ours.returned;
  json.readall_ours_distinct = read.distinct.ours.distinct;
  json.readall_emmett_returned = read.distinct.emmett.returned;
  json.readall_emmett_distinct = read.distinct.emmett.distinct;
  Object.assign(json, results.trips);
  const others = [
    ...results.cases.flatMap((c) => [c.ours.cpu.otherPct, c.emmett.cpu.otherPct]),
    read.ours.cpu.otherPct,
    read.emmett.cpu.otherPct,
  ].filter((v): v is number => v !== null);
  json.other_cpu_pct_max = others.length ? Math.max(...others) : null;
  json.target_met = targetMet;
  json.seconds_per_case = settings.seconds;
  json.fsync = !settings.noFsync;
  json.payload_bytes = PAYLOAD_BYTES;
  json.cores = cores;
  return json;
}

const RELAY_BENCH = join(__dirname, '../../messaging/bench/relay.bench.ts');

/**
 * Runs `npm run bench:relay`'s script in a child process, passing its report through, and
 * resolves with the figures of its final JSON line.
 */
function runRelayBenchmark(
  started: (child: ChildProcess) => void,
): Promise<Record<string, number | boolean | string | null>> {
  const child = spawn(process.execPath, ['--import', 'tsx', RELAY_BENCH], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started(child);
  let pending = '';
  let figures = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('{')) figures = line;
      else process.stdout.write(`${line}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      if (pending.startsWith('{')) figures = pending;
      if (code !== 0 || !figures) {
        reject(new Error(`the relay benchmark failed (exit code ${code})`));
      } else {
        resolve(JSON.parse(figures) as Record<string, number | boolean | string | null>);
      }
    });
  });
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const abortAfterMs = Math.max(300_000, (120 + 30 * settings.seconds) * 1000);
  // A parent that `others` may traverse: PostgreSQL runs as user postgres when we are root.
  const root = mkdtempSync(join(tmpdir(), 'eventstore-bench-'));
  chmodSync(root, 0o755);
  let server: EmbeddedPostgres | undefined;
  let relayBench: ChildProcess | undefined;
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  // Last resort: the runner stops PostgreSQL by itself when our stdin pipe to it closes.
  process.on('exit', removeRoot);
  const cleanup = async () => {
    // SIGTERM: the relay benchmark stops its own servers.
    if (relayBench?.exitCode === null) relayBench.kill('SIGTERM');
    await server?.stop();
    removeRoot();
  };
  await runBenchmark({ abortAfterMs, cleanup }, async () => {
    server = await startEmbeddedPostgres({
      dataDir: join(root, 'pg'),
      port: await freePort(),
      removeDataDirOnStop: true,
      removeOnStop: [root],
      noFsync: settings.noFsync,
      onLog: (line) => console.error(`[postgres] ${line}`),
    });
    const results = await run(settings, server, server.postgresPid);
    const figures = printReport(settings, results);
    if (settings.relay) {
      await server.stop(); // the relay benchmark brings its own; nothing else competes
      server = undefined;
      Object.assign(figures, await runRelayBenchmark((child) => (relayBench = child)));
    }
    console.log(JSON.stringify(figures));
  });
}

void main();
