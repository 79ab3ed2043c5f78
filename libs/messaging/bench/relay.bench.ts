/**
 * Throughput of the outbox relay (`OutboxRelay`) next to a raw kafkajs producer sending the same
 * messages to the same broker, on loopback: one embedded PostgreSQL (the outbox tables of
 * `CREATE_MESSAGING_SQL`) and the development broker in its own process.
 *
 *  - setup (untimed): `--messages` N `fulfil.orders.OrderPlaced` v1 integration events (the
 *    contracts' sample, with `--keys` different order ids so keys spread over partitions) are
 *    enqueued with `enqueueIntegrationEvents`, 100 per transaction.
 *  - relay: a fresh `OutboxRelay` (new name, so it starts from the beginning; batch size
 *    `--batch`) is started; timed until the broker acknowledged the last row (`afterSend`).
 *  - raw: the rows as the relay publishes them (same topic layout, keys, headers and values),
 *    sent by one kafkajs producer configured like the relay's (idempotent, one request in
 *    flight, acks -1), `sendBatch` of `--batch` messages back to back; timed from connect to
 *    the last acknowledgement, like the relay (whose producer also connects lazily).
 *  - `--rounds` rounds, alternating which goes first; best of the rounds is compared.
 *
 *   npx tsx libs/messaging/bench/relay.bench.ts [--messages N] [--batch N] [--keys N] [--rounds N]
 *
 * The phase itself lives in `relay-phase.ts` (`npm run bench:eventstore` runs it too).
 * Prints a table with the target (relay ≥ 0.7 × raw) and, as the very last line, one JSON
 * object. Aborts after 5 minutes; PostgreSQL and the broker are stopped and their data
 * directories removed however the run ends.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@fulfil/testing';
import {
  startDevBrokerProcess,
  startEmbeddedPostgres,
  type DevBrokerProcess,
  type EmbeddedPostgres,
  runBenchmark,
} from '@fulfil/local-infra';
import {
  DEFAULT_RELAY_SETTINGS,
  measureRelay,
  reportRelay,
  type RelaySettings,
} from './relay-phase';

const ABORT_AFTER_MS = 5 * 60_000;

function parseSettings(argv: readonly string[]): RelaySettings {
  const defaults: Record<string, number> = {
    '--messages': DEFAULT_RELAY_SETTINGS.messages,
    '--batch': DEFAULT_RELAY_SETTINGS.batch,
    '--keys': DEFAULT_RELAY_SETTINGS.keys,
    '--rounds': DEFAULT_RELAY_SETTINGS.rounds,
  };
  const values = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    if (!(argv[i] in defaults) || !Number.isInteger(value) || value <= 0) {
      console.error(
        `bad argument "${argv[i]} ${argv[i + 1] ?? ''}"; flags: ${Object.keys(defaults).join(' N, ')} N`,
      );
      process.exit(2);
    }
    values[argv[i]] = value;
  }
  return {
    messages: values['--messages'],
    batch: values['--batch'],
    keys: values['--keys'],
    rounds: values['--rounds'],
  };
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  // PostgreSQL runs as user postgres when we are root: it must traverse this directory.
  chmodSync(root, 0o755);
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  let postgres: EmbeddedPostgres | undefined;
  let broker: DevBrokerProcess | undefined;
  // Last resort; the PostgreSQL runner also stops by itself when our stdin pipe to it closes.
  process.on('exit', () => {
    if (broker) {
      try {
        process.kill(broker.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removeRoot();
  });
  const cleanup = async () => {
    for (const server of [broker, postgres]) {
      try {
        await server?.stop();
      } catch (error) {
        console.error('stopping:', (error as Error).message);
      }
    }
    broker = undefined;
    removeRoot();
  };
  await runBenchmark({ abortAfterMs: ABORT_AFTER_MS, cleanup }, async () => {
    postgres = await startEmbeddedPostgres({
      dataDir: join(root, 'pg'),
      port: await freePort(),
      removeDataDirOnStop: true,
      onLog: (line) => console.error(`[postgres] ${line}`),
    });
    broker = await startDevBrokerProcess({ port: 0, dataDir: join(root, 'kafka') });
    const results = await measureRelay(settings, {
      postgresServerUrl: postgres.url,
      brokerAddress: broker.address,
      serverPids: [postgres.postgresPid, broker.pid],
    });
    console.log(JSON.stringify(reportRelay(settings, results)));
  });
}

void main();
