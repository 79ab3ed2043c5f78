// PostgreSQL and Kafka for `npm start`: the ones named by POSTGRES_URL / KAFKA_BROKERS, or
// embedded PostgreSQL and the development broker as child processes with data in the data dir.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { prefixedLogger } from './output.mjs';

const EXPECTED_NOISE = /FATAL: {1,2}database ".*" does not exist/;

/** The first line of a start failure, with a hint when the port is taken. */
function portHint(error, port, settings) {
  const first = String(error.message).split('\n')[0].replace(/:$/, '');
  const taken = /address already in use|EADDRINUSE/i.test(error.message);
  return new Error(taken ? `${first}\nport ${port} is in use: set ${settings}` : first);
}

/**
 * Starts (or connects to) PostgreSQL. `localInfra` is the compiled `@fulfil/local-infra`.
 * Resolves with `{ serverUrl, description, pids, exited?, stop() }`.
 */
export async function startPostgres(config, localInfra, pids) {
  const log = prefixedLogger('postgres');
  if (config.postgresUrl) {
    await localInfra.waitForPostgres(config.postgresUrl, 30_000);
    const shown = localInfra.redactUrl(config.postgresUrl);
    log(`using ${shown} (POSTGRES_URL)`);
    return { serverUrl: config.postgresUrl, description: shown, stop: async () => undefined };
  }
  mkdirSync(dirname(config.postgresDataDir), { recursive: true });
  const started = Date.now();
  const server = await localInfra
    .startEmbeddedPostgres({
      dataDir: config.postgresDataDir,
      port: config.postgresPort,
      statementStats: config.postgresStatementStats,
      // Services probe for their database before creating it: that FATAL is expected.
      onLog: (line) => (EXPECTED_NOISE.test(line) ? undefined : log(line)),
      detached: true,
    })
    .catch((error) => {
      throw portHint(error, config.postgresPort, 'FULFIL_POSTGRES_PORT or POSTGRES_URL');
    });
  pids.add('postgres-runner', server.runnerPid);
  pids.add('postgres', server.postgresPid);
  log(
    `embedded PostgreSQL ready on 127.0.0.1:${config.postgresPort} in ${Date.now() - started} ms (data in ${config.postgresDataDir})`,
  );
  return {
    serverUrl: server.url,
    description: `${server.url} (embedded, data in ${config.postgresDataDir})`,
    exited: server.exited,
    stop: () => server.stop(),
  };
}

/** Starts (or uses) Kafka. Resolves with `{ brokers, description, exited?, stop() }`. */
export async function startKafka(config, localInfra, pids) {
  const log = prefixedLogger('kafka');
  if (config.kafkaBrokers) {
    log(`using ${config.kafkaBrokers.join(',')} (KAFKA_BROKERS)`);
    return {
      brokers: config.kafkaBrokers,
      description: config.kafkaBrokers.join(','),
      stop: async () => undefined,
    };
  }
  const broker = await localInfra
    .startDevBrokerProcess({
      port: config.kafkaPort,
      dataDir: config.kafkaDataDir,
      onLog: log,
      detached: true,
    })
    .catch((error) => {
      throw portHint(error, config.kafkaPort, 'FULFIL_KAFKA_PORT or KAFKA_BROKERS');
    });
  pids.add('kafka', broker.pid);
  return {
    brokers: [broker.address],
    description: `${broker.address} (development broker, data in ${config.kafkaDataDir})`,
    exited: broker.exited,
    stop: () => broker.stop(),
  };
}

/**
 * Creates the platform's topics that do not exist yet, with `partitions` partitions each.
 * Resolves with the topics it created and the existing ones whose partition count differs
 * (`differing`, as `name: count`): a topic keeps the count it was created with.
 */
export async function ensureTopics(require, brokers, topics, partitions) {
  // The services' fix of kafkajs' request-queue timers (compiled by the build step): without
  // it every answer this admin reads schedules a timer with a negative delay, which Node 23 and
  // later print a TimeoutNegativeWarning for.
  require('./dist/libs/service-kit/src/kafka/kafkajs-request-queue-fix.js').fixKafkajsIdleTimers();
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({ clientId: 'fulfil-start', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    // Every topic with its partitions, in the one metadata request that listing them costs.
    const { topics: known } = await admin.fetchTopicMetadata();
    const counts = new Map(known.map((topic) => [topic.name, topic.partitions.length]));
    const missing = topics.filter((topic) => !counts.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
        waitForLeaders: true,
      });
    }
    const differing = topics
      .filter((topic) => counts.has(topic) && counts.get(topic) !== partitions)
      .map((topic) => `${topic}: ${counts.get(topic)}`);
    return { created: missing, differing };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
