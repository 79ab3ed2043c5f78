// npm run bench:orders — the order lifecycle against the locally started stack (`npm start`
// in a temporary data directory, orders + inventory + payments, the payment simulator paying
// every intent automatically). After a warm-up whose orders are not counted (the services'
// code compiled by V8: a minute at 25/s, then 5 s at the highest rate), places orders at
// increasing open-loop rates and measures, per rate, orders/s confirmed and the latency from
// each order's due time to its confirmation (p50/p99, to when OrderConfirmed was published on
// orders.events: see event-trace.ts); a rate is sustained when every order was confirmed with
// p99 under 500 ms. Then reservations/s on one hot SKU. Per rate it also prints the CPU each
// process used per order (stack-cpu.ts): on 2 shared cores, 100 orders/s leaves 20 ms — and
// the SQL statements and WAL per order
// (database-work.ts; BENCH_STATEMENT_COUNTS=0 turns them off, and with them
// pg_stat_statements' own small cost per statement; BENCH_TOP_STATEMENTS=N lists the N with
// the most execution time, BENCH_WAL_BY_RELATION=N the N tables and indexes with the most WAL:
// wal-by-relation.ts; BENCH_LATENCY_BY_SECOND=1 the latency of each second of a phase and how
// busy the machine was in it: machine-busy.ts) — and
// the tables autovacuum visited during the phase, and when (autovacuum-runs.ts). Ends with one
// JSON line of figures.
// Loopback only; every phase is bounded in time and count.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SERVICE_CATALOG } from '@fulfil/contracts';
import { measureMachineSpeed, percentile, round } from '@fulfil/local-infra';
import { fixKafkajsIdleTimers, httpRequest } from '@fulfil/service-kit';
import { eventually, startLocalStack, type LocalStack } from '../support/local-stack';
import { EventTrace } from './event-trace';
import {
  describeContextSwitches,
  describeRunQueueWaits,
  describeCpu,
  describeProcesses,
  PAYMENT_SIMULATOR,
  StackCpu,
  type CpuPerUnit,
} from './stack-cpu';
import { autovacuumRunsSince, describeAutovacuumRuns } from './autovacuum-runs';
import { DatabaseWork, describeDatabaseWork } from './database-work';
import { MachineBusyBySecond, describeMachineBusy } from './machine-busy';
import { PAY_AT_ONCE, startSimulatorProcess } from '../support/payment-simulator-process';

const RATES = (process.env.BENCH_ORDER_RATES ?? '10,25,50,100').split(',').map(Number);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 10);
const DRAIN_MS = 15_000;
const IDLE_SECONDS = 5;
const WARMUP_RATE = Number(process.env.BENCH_WARMUP_RATE ?? 25);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 60);
/** Then this many seconds at the run's highest rate, not counted either (0: none). */
const WARMUP_PEAK_SECONDS = Number(process.env.BENCH_WARMUP_PEAK_SECONDS ?? 5);
const HOT_SKU_ORDERS = Number(process.env.BENCH_HOT_SKU_ORDERS ?? 400);
const SKUS = Array.from({ length: 20 }, (_, i) => `bench-sku-${i}`);
const LOCATIONS = ['bench-wh-1', 'bench-wh-2', 'bench-wh-3'];
const P99_TARGET_MS = 500;
/** Payment method of the rate phases: `wechat-pay` (a provider round trip) by default. */
const METHOD = process.env.BENCH_PAYMENT_METHOD ?? 'wechat-pay';
const COUNT_STATEMENTS = process.env.BENCH_STATEMENT_COUNTS !== '0';
/** Per rate, this many statements with the most execution time per order (default none). */
const TOP_STATEMENTS = Number(process.env.BENCH_TOP_STATEMENTS ?? 0);
/** Per rate, this many tables and indexes with the most WAL per order (default none). */
const WAL_RELATIONS = Number(process.env.BENCH_WAL_BY_RELATION ?? 0);
/** Per rate, the latency of the orders due in each second of the phase and the machine's busy share (default off). */
const LATENCY_BY_SECOND = process.env.BENCH_LATENCY_BY_SECOND === '1';
/** The services the bench starts; each one's database is counted. */
const SERVICES = ['orders', 'inventory', 'payments'] as const;
const DATABASES = SERVICES.map((service) => SERVICE_CATALOG[service].database);

// The load generator shares the 2 cores with the platform: no 1 ms timer loop per connection.
fixKafkajsIdleTimers();

function client(stack: LocalStack, token: string) {
  return async (service: 'orders' | 'inventory', path: string, body: unknown, key?: string) => {
    // node:http with keep-alive: the load generator shares the 2 cores with the platform.
    const { status, body: text } = await httpRequest(`${stack.urls[service]}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
      timeoutMs: 60_000,
    });
    if (status >= 300) throw new Error(`${path} → ${status}: ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
}

type Post = ReturnType<typeof client>;

async function orderStatus(stack: LocalStack, token: string, orderId: string): Promise<string> {
  const { status, body } = await httpRequest(`${stack.urls.orders}/orders/${orderId}`, {
    method: 'GET',
    headers: { authorization: `Bearer ${token}` },
    timeoutMs: 10_000,
  });
  const order = status === 200 ? (JSON.parse(body) as { status?: string }) : {};
  return order.status ?? `http ${status}`;
}

function order(skuId: string, paymentMethod: string) {
  return {
    channel: 'web',
    customerId: `bench-customer-${Math.floor(Math.random() * 1000)}`,
    paymentMethod,
    lines: [
      {
        skuId,
        title: `Bench item ${skuId}`,
        quantity: 1,
        unitPrice: { amountMinor: 1999, currency: 'CNY' },
      },
    ],
    deliveryAddress: {
      recipientName: 'Bench Customer',
      phone: '+8613800000000',
      addressLine1: '1 Bench Road',
      postalCode: '518000',
      countryCode: 'CN',
      regionCode: 'CN-GD',
      cityCode: 'SZ',
    },
  };
}

/**
 * Median ms from each order's due time to each event seen on the topics, in order: where the
 * time goes.
 */
function stageTimeline(
  placed: ReadonlyMap<string, number>,
  stages: ReadonlyMap<string, ReadonlyMap<string, number>>,
): string {
  const delays = new Map<string, number[]>();
  for (const [orderId, dueAt] of placed) {
    for (const [stage, at] of stages.get(orderId) ?? []) {
      if (!delays.has(stage)) delays.set(stage, []);
      delays.get(stage)!.push(at - dueAt);
    }
  }
  return [...delays]
    .map(
      ([stage, ms]) =>
        [
          stage,
          percentile(
            ms.sort((a, b) => a - b),
            50,
          ),
        ] as const,
    )
    .sort((a, b) => a[1] - b[1])
    .map(([stage, ms]) => `${stage} ${ms}`)
    .join(' → ');
}

async function receiveStock(post: Post): Promise<void> {
  for (const locationId of LOCATIONS) {
    await post('inventory', '/locations', { locationId, type: 'warehouse', name: locationId });
  }
  for (const skuId of [...SKUS, 'bench-hot-sku'])
    for (const locationId of LOCATIONS) {
      const quantity = skuId === 'bench-hot-sku' ? Math.ceil(HOT_SKU_ORDERS / 6) : 1_000_000;
      await post('inventory', '/stock/receipts', { skuId, locationId, quantity });
    }
}

/** Open loop: one order every 1000/rate ms for the phase, whatever the answers take. */
async function placeAtRate(
  post: Post,
  rate: number,
  seconds: number,
  skuOf: (i: number) => string,
  method: string,
) {
  const placed = new Map<string, number>();
  const failures: string[] = [];
  const inFlight: Promise<void>[] = [];
  const total = Math.round(rate * seconds);
  const start = Date.now();
  let lateMs = 0;
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    lateMs = Math.max(lateMs, Date.now() - due);
    // Each order's latency counts from when it was due, not from when the generator got round
    // to sending it: a generator slowed by the busy machine must not hide the wait (what load
    // testers call coordinated omission).
    inFlight.push(
      post('orders', '/orders', order(skuOf(i), method), randomUUID()).then(
        (body) => void placed.set(String(body.orderId), due),
        (error: Error) => void failures.push(error.message),
      ),
    );
  }
  await Promise.all(inFlight);
  return { placed, failures, lateMs, startedAt: start };
}

const HEADER = 'rate/s  placed  confirmed  cancelled  failed  confirmed/s  p50 ms  p99 ms  kept up';

/**
 * Orders confirmed a second, over the span from the first confirmation to the last: the rate
 * at which the platform turned placed orders into confirmed ones. (Counting from the first
 * order placed instead adds one order's latency to the span, so that even a platform keeping
 * up with 100/s would show less than 100.)
 */
function confirmationRate(confirmedAt: readonly number[]): number {
  if (confirmedAt.length < 2) return confirmedAt.length;
  const seconds = (Math.max(...confirmedAt) - Math.min(...confirmedAt)) / 1000;
  return (confirmedAt.length - 1) / Math.max(0.001, seconds);
}

interface PhaseContext {
  readonly stack: LocalStack;
  readonly token: string;
  readonly post: Post;
  readonly watcher: EventTrace;
  readonly cpu: StackCpu;
  readonly database: DatabaseWork | undefined;
}

/**
 * Places orders at `rate` for `seconds`, waits for their outcomes and prints one row of
 * {@link HEADER}, where the time went and the CPU per order.
 */
async function runPhase(
  { stack, token, post, watcher, cpu, database }: PhaseContext,
  rate: number,
  seconds: number,
) {
  await database?.reset();
  const cpuBefore = cpu.sample();
  const machineBusy = LATENCY_BY_SECOND ? new MachineBusyBySecond() : undefined;
  machineBusy?.start();
  const phase = await placeAtRate(post, rate, seconds, (i) => SKUS[i % SKUS.length]!, METHOD);
  const busyBySecond = machineBusy?.stop();
  const ids = [...phase.placed.keys()];
  await eventually(() => ids.every((id) => watcher.outcome(id)), DRAIN_MS);
  // Before the observer reads the other topics: that reading is not the platform's work.
  const cpuPerOrder = StackCpu.perUnit(cpuBefore, cpu.sample(), phase.placed.size);
  const databasePerOrder = await database?.perUnit(phase.placed.size);
  const autovacuum = await autovacuumRunsSince(stack.postgresUrl, DATABASES, phase.startedAt);
  await watcher.catchUp(DRAIN_MS);
  const latencies: number[] = [];
  const confirmedAt: number[] = [];
  const bySecond: number[][] = [];
  for (const [id, dueAt] of phase.placed) {
    const outcome = watcher.outcome(id);
    if (!outcome?.type.includes('OrderConfirmed')) continue;
    const latency = Math.round(outcome.at - dueAt); // due times are fractional at most rates
    latencies.push(latency);
    confirmedAt.push(outcome.at);
    (bySecond[Math.floor((dueAt - phase.startedAt) / 1000)] ??= []).push(latency);
  }
  const confirmed = confirmedAt.length;
  const confirmedPerSecond = confirmationRate(confirmedAt);
  latencies.sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const cancelled = ids.filter((id) => watcher.outcome(id)?.type.includes('Cancelled')).length;
  // Kept up: every order of the phase confirmed, 99 % of them within the target. An open-loop
  // platform that falls behind queues up, and its latency grows past any target within seconds.
  const allConfirmed = confirmed === Math.round(rate * seconds) && phase.failures.length === 0;
  const keptUp = allConfirmed && p99 < P99_TARGET_MS;
  console.log(
    [
      rate,
      phase.placed.size,
      confirmed,
      cancelled,
      phase.failures.length,
      round(confirmedPerSecond),
      p50,
      p99,
      keptUp ? 'yes' : 'no',
    ]
      .map(String)
      .map((s) => s.padStart(7))
      .join(' '),
  );
  if (phase.failures.length > 0) console.log(`  first failure: ${phase.failures[0]}`);
  if (phase.lateMs >= 50) {
    console.log(`  the load generator sent up to ${phase.lateMs} ms late (counted in latency)`);
  }
  console.log(`  ${stageTimeline(phase.placed, watcher.stages)}`);
  if (LATENCY_BY_SECOND) console.log(`  ${describeLatencyBySecond(bySecond)}`);
  if (busyBySecond?.length) console.log(`  ${describeMachineBusy(busyBySecond)}`);
  console.log(`  ${describeCpu(cpuPerOrder)}`);
  const waits = describeRunQueueWaits(cpuPerOrder);
  if (waits) console.log(`  ${waits}`);
  console.log(`  ${describeContextSwitches(cpuPerOrder)}`);
  if (databasePerOrder) console.log(`  ${describeDatabaseWork(databasePerOrder)}`);
  console.log(`  ${describeAutovacuumRuns(autovacuum)}`);
  const unseen = ids.filter((id) => !watcher.outcome(id));
  if (unseen.length > 0) {
    // Tells a slow platform from a lagging observer: what do the orders themselves say?
    const sample = unseen.slice(0, 20);
    const statuses = await Promise.all(sample.map((id) => orderStatus(stack, token, id)));
    const counts = statuses.reduce<Record<string, number>>(
      (all, status) => ({ ...all, [status]: (all[status] ?? 0) + 1 }),
      {},
    );
    console.log(
      `  ${unseen.length} outcomes not seen on orders.events; GET of ${sample.length}: ${JSON.stringify(counts)}`,
    );
  }
  return {
    confirmedPerSecond,
    p50,
    p99,
    cpu: cpuPerOrder,
    database: databasePerOrder,
    autovacuumTables: autovacuum.length,
    keptUp,
  };
}

/**
 * The median and highest latency of the confirmed orders due in each second of a phase. Tells
 * a platform that queued up when the rate rose and then caught up (the first seconds high)
 * from one saturated throughout (the latency growing to the end).
 */
function describeLatencyBySecond(bySecond: readonly (number[] | undefined)[]): string {
  const seconds = Array.from(bySecond, (ms, second) => {
    if (!ms) return `${second}s none`;
    const sorted = [...ms].sort((a, b) => a - b);
    return `${second}s ${percentile(sorted, 50)}/${sorted.at(-1)}`;
  });
  return `latency by second of the phase, p50/max ms: ${seconds.join(' · ')}`;
}

/** What the started stack burns doing nothing, per second, before any order (5 s). */
async function idleCpu(cpu: StackCpu): Promise<CpuPerUnit> {
  const before = cpu.sample();
  await new Promise((done) => setTimeout(done, IDLE_SECONDS * 1000));
  return StackCpu.perUnit(before, cpu.sample(), IDLE_SECONDS);
}

async function main(): Promise<void> {
  const figures: Record<string, number | boolean> = {};
  // Before the stack starts: the machine's speed, not its load. Figures of other days compare
  // only with these two alongside (the same commit has cost 21 and 47 ms of CPU per order), and
  // on the same Node.js: the services and the reference run on this process's (on Node 24 the
  // reference costs half what it does on Node 20, on the same machine).
  const machine = await measureMachineSpeed();
  figures.node_major_version = Number(process.versions.node.split('.')[0]);
  figures.machine_compute_ms = round(machine.computeMs);
  figures.machine_round_trip_cpu_us = round(machine.roundTripCpuMicros);
  console.log(
    `machine today, on Node.js ${process.versions.node}: reference JavaScript ` +
      `${figures.machine_compute_ms} ms of CPU, loopback round trip ` +
      `${figures.machine_round_trip_cpu_us} µs of CPU for both sides ` +
      `(${round(machine.roundTripWallMicros)} µs wall)`,
  );
  // The simulated customer pays the moment the intent exists: what is measured is the
  // platform's time, not a shopper's.
  const simulator = await startSimulatorProcess(PAY_AT_ONCE);
  console.log('starting the stack (npm start, orders + inventory + payments)…');
  const stack = await startLocalStack({
    services: SERVICES,
    pidsFile: true,
    env: {
      PAYMENT_GATEWAY_URL: simulator.url,
      LOG_LEVEL: 'warn',
      ...(COUNT_STATEMENTS ? { FULFIL_POSTGRES_STATEMENT_STATS: '1' } : {}),
    },
  });
  let database: DatabaseWork | undefined;
  try {
    await stack.ready();
    const cpu = StackCpu.fromPidsFile(join(stack.dataDir, 'pids.json'), {
      [PAYMENT_SIMULATOR]: simulator.pid,
    });
    if (COUNT_STATEMENTS) {
      database = await DatabaseWork.connect(
        stack.postgresUrl,
        DATABASES,
        TOP_STATEMENTS,
        WAL_RELATIONS,
      );
    }
    const token = stack.token();
    const post = client(stack, token);
    await receiveStock(post);
    const watcher = new EventTrace(stack.kafkaBrokers);
    await watcher.start();
    let sustained = 0;
    const idle = await idleCpu(cpu);
    console.log(
      `idle stack: ${idle.total} ms of CPU a second (polls and timers; in every rate's figure): ` +
        `${describeProcesses(idle)}; context switches a second ${Math.round(idle.contextSwitches.total)}: ` +
        describeProcesses(idle.contextSwitches),
    );
    figures.idle_cpu_ms_per_s = idle.total;
    figures.idle_context_switches_per_s = Math.round(idle.contextSwitches.total);
    const phases: PhaseContext = { stack, token, post, watcher, cpu, database };
    if (WARMUP_SECONDS > 0) {
      // Not measured: V8 compiles the services' hot code in the first minute of load, which
      // costs a fifth or more of their CPU (measured: 42.6 → 32.4 ms per order at 40/s, first
      // against third 30 s phase). A platform in production runs warm.
      console.log(`warm-up, ${WARMUP_RATE}/s for ${WARMUP_SECONDS} s (not counted):`);
      const warm = await runPhase(phases, WARMUP_RATE, WARMUP_SECONDS);
      figures.warmup_cpu_ms_per_order = warm.cpu.total;
    }
    // Not measured either: the first seconds the services ever run at a higher rate cost more
    // than that rate later (code first taken with bigger batches), and queued up the start of
    // the top rate's phase even after the minute above. Measured: 100/s three times in a row
    // cost 22.8, then 20.2 and 20.9 ms of CPU per order; with these 5 s first, the 100/s phase
    // had no such start (docs/order-lifecycle.md, Throughput). A rate the warm-up reached
    // already needs none.
    const peak = Math.max(...RATES);
    if (WARMUP_PEAK_SECONDS > 0 && peak > (WARMUP_SECONDS > 0 ? WARMUP_RATE : 0)) {
      console.log(`warm-up, ${peak}/s for ${WARMUP_PEAK_SECONDS} s (not counted):`);
      await runPhase(phases, peak, WARMUP_PEAK_SECONDS);
    }
    console.log(HEADER);
    for (const rate of RATES) {
      const phase = await runPhase(phases, rate, PHASE_SECONDS);
      figures[`rate_${rate}_confirmed_per_s`] = round(phase.confirmedPerSecond);
      figures[`rate_${rate}_p50_ms`] = phase.p50;
      figures[`rate_${rate}_p99_ms`] = phase.p99;
      figures[`rate_${rate}_cpu_ms_per_order`] = phase.cpu.total;
      figures[`rate_${rate}_platform_cpu_ms_per_order`] = phase.cpu.platform;
      figures[`rate_${rate}_context_switches_per_order`] = Math.round(
        phase.cpu.contextSwitches.total,
      );
      if (!Number.isNaN(phase.cpu.runQueueWaits.total)) {
        figures[`rate_${rate}_run_queue_wait_ms_per_order`] = phase.cpu.runQueueWaits.total;
      }
      figures[`rate_${rate}_autovacuum_tables`] = phase.autovacuumTables;
      if (phase.database) {
        figures[`rate_${rate}_statements_per_order`] = phase.database.statements;
        figures[`rate_${rate}_wal_kb_per_order`] = phase.database.walKilobytes;
        figures[`rate_${rate}_full_page_images_per_order`] = phase.database.fullPageImages;
        if (phase.database.walFlushes !== undefined)
          figures[`rate_${rate}_wal_flushes_per_order`] = phase.database.walFlushes;
      }
      // Sustained: the highest rate offered that the platform kept up with.
      if (phase.keptUp) sustained = Math.max(sustained, rate);
    }
    figures.sustained_confirmed_orders_per_s = sustained;
    figures.target_met = sustained >= 100;

    // One hot SKU: every order wants it; stock covers about half of them.
    const hot = await placeAtRate(
      post,
      400,
      HOT_SKU_ORDERS / 400,
      () => 'bench-hot-sku',
      'cash-on-delivery',
    );
    const hotIds = [...hot.placed.keys()];
    await eventually(() => hotIds.every((id) => watcher.outcome(id)), DRAIN_MS);
    await watcher.catchUp(DRAIN_MS);
    const answered = hotIds
      .map((id) => watcher.reservedAt(id))
      .filter((t): t is number => t !== undefined);
    const hotSeconds = (Math.max(...answered) - Math.min(...hot.placed.values())) / 1000;
    figures.hot_sku_reservations_per_s = round(answered.length / Math.max(0.001, hotSeconds));
    console.log(
      `hot SKU: ${hotIds.length} orders, ${answered.length} reservation answers in ${round(hotSeconds, 2)} s → ${figures.hot_sku_reservations_per_s}/s`,
    );
    await watcher.stop();
    const problems = stack
      .output()
      .split('\n')
      .filter((line) => /"level":"(warn|error|fatal)"/.test(line) && !/partitioner|EoS/.test(line));
    if (problems.length > 0) {
      console.log(`${problems.length} warning/error lines from the services, the first 30:`);
      for (const line of problems.slice(0, 30)) console.log(`  ${line.slice(0, 400)}`);
    }
  } finally {
    await database?.close();
    const stopped = await stack.stop();
    if (stopped === 'timeout' || stopped.code !== 0) console.error(stack.tail());
    await simulator.stop();
  }
  console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
