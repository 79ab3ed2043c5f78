// End-to-end test of `npm start` (tools/start/start.mjs): the whole platform on embedded
// PostgreSQL and the development broker, in a temporary data directory and on free ports, so
// it never touches a developer's running stack. It starts the script, waits for every service's
// /health/ready, sends SIGINT and checks the exit code and that no process it started survives.
import { isProcessAlive } from '@fulfil/local-infra';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROVISIONED_TOPICS, SERVICE_CATALOG } from '@fulfil/contracts';
import { fixKafkajsIdleTimers } from '@fulfil/service-kit';
import { Kafka, logLevel } from 'kafkajs';
import {
  eventually,
  REPO_ROOT,
  startLocalStack,
  type LocalStack,
  type RecordedPids,
} from './support/local-stack';

const SERVICES = Object.values(SERVICE_CATALOG);

/** Processes whose command line mentions `text` (e.g. the temporary data directory). */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Each topic's partition count, as the broker at `brokers` reports it. */
async function partitionCounts(brokers: string[], topics: readonly string[]) {
  fixKafkajsIdleTimers();
  const admin = new Kafka({
    clientId: 'local-start-spec',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
    return Object.fromEntries(metadata.map((topic) => [topic.name, topic.partitions.length]));
  } finally {
    await admin.disconnect();
  }
}

describe('npm start (tools/start/start.mjs)', () => {
  const missing = SERVICES.filter(
    (s) => !existsSync(join(REPO_ROOT, 'services', s.name, 'src/main.ts')),
  ).map((s) => s.name);
  let stack: LocalStack | undefined;
  let recorded: RecordedPids | undefined;

  afterAll(async () => {
    // Only when the test failed half-way: never leave the platform running.
    const child = stack?.process;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const { pid } of recorded?.processes ?? []) {
      if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await stack?.stop(1_000);
  });

  it('starts every service, reports them ready, and stops cleanly on SIGINT', async () => {
    expect(missing).toEqual([]); // every catalog service has a services/<name>/src/main.ts
    const started = await startLocalStack({
      pidsFile: true,
      // Passed to every service's node: harmless, and visible in its command line.
      env: { FULFIL_SERVICE_NODE_ARGS: '--no-deprecation  --max-semi-space-size=16' },
    });
    stack = started;
    await started.ready();
    expect(await eventually(() => started.output().includes('all services ready'), 10_000)).toBe(
      true,
    );
    for (const url of Object.values(started.urls))
      expect(started.output()).toContain(`${url}/docs`);
    // No process of the start printed a Node.js warning (e.g. kafkajs' negative timer delays,
    // which Node 23 and later report).
    expect(started.output()).not.toMatch(/\(node:\d+\) \w*Warning/);
    // One instance of each service: one partition per topic (FULFIL_TOPIC_PARTITIONS).
    expect(await partitionCounts(started.kafkaBrokers, PROVISIONED_TOPICS)).toEqual(
      Object.fromEntries(PROVISIONED_TOPICS.map((topic) => [topic, 1])),
    );
    expect(started.output()).toMatch(/created topics .* \(1 partition each\)/);
    const tokens = JSON.parse(readFileSync(join(started.dataDir, 'local-tokens.json'), 'utf8'));
    expect(tokens).toEqual([expect.objectContaining({ caller: 'local-dev' })]);

    const pids = started.pids();
    recorded = pids;
    expect(pids.start).toBe(started.process.pid);
    expect(pids.processes.map((p) => p.name).sort()).toEqual(
      [...SERVICES.map((s) => s.name), 'kafka', 'postgres', 'postgres-runner'].sort(),
    );
    for (const { name, pid } of pids.processes.filter((p) =>
      SERVICES.some((s) => s.name === p.name),
    )) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      // The start's own flags first, then the variable's, which V8 lets override them.
      expect({ name, flags: argv.slice(1, 5) }).toEqual({
        name,
        flags: [
          '--enable-source-maps',
          '--max-semi-space-size=32',
          '--no-deprecation',
          '--max-semi-space-size=16',
        ],
      });
    }

    const dataDir = started.dataDir;
    const result = await started.stop();
    expect({
      result,
      output: result === 'timeout' || result.code !== 0 ? started.tail() : '',
    }).toEqual({
      result: { code: 0, signal: null },
      output: '',
    });
    const survivors = pids.processes.filter(({ pid }) => isProcessAlive(pid));
    expect(survivors).toEqual([]);
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 240_000);

  it('names what a service last answered when it is not ready in time, and stops everything', async () => {
    // One second: the service cannot be listening yet.
    const late = await startLocalStack({
      services: ['orders'],
      env: { FULFIL_READY_TIMEOUT_MS: '1000' },
    });
    try {
      expect(await late.exited).toEqual({ code: 1, signal: null });
      expect(late.output()).toMatch(
        /not ready after 1 s \(GET \/health\/ready ≠ 200\): orders \((no answer: ECONNREFUSED|503: [^)]+)\)/,
      );
      expect(processesMentioning(late.dataDir)).toEqual([]);
    } finally {
      await late.stop(1_000);
    }
  }, 120_000);
});
