/* global URL */
// The settings of `npm start`, read once from the environment and validated (STYLE.md 12).
import { isAbsolute, join, resolve } from 'node:path';

export class StartConfigError extends Error {}

function port(env, name, fallback) {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new StartConfigError(`${name} must be a port number 1–65535, got "${text}"`);
  }
  return value;
}

function integer(env, name, fallback, min) {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new StartConfigError(`${name} must be an integer ≥ ${min}, got "${text}"`);
  }
  return value;
}

function flag(env, name) {
  return ['1', 'true', 'yes'].includes(String(env[name] ?? '').toLowerCase());
}

function serverUrl(env) {
  const text = env.POSTGRES_URL;
  if (!text) return undefined;
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new StartConfigError('POSTGRES_URL must be a URL such as postgres://user:pass@host:5432');
  }
  if (!['postgres:', 'postgresql:'].includes(url.protocol) || !url.hostname) {
    throw new StartConfigError('POSTGRES_URL must be a postgres:// URL with a host');
  }
  return text;
}

function brokers(env) {
  const text = env.KAFKA_BROKERS;
  if (!text) return undefined;
  const list = text.split(',').map((broker) => broker.trim());
  if (list.some((broker) => !/^[^\s:]+:\d{1,5}$/.test(broker))) {
    throw new StartConfigError(`KAFKA_BROKERS must be host:port[,host:port…], got "${text}"`);
  }
  return list;
}

/** Reads every FULFIL_* setting and the external-infrastructure URLs. Throws StartConfigError. */
export function readStartConfig(root, env = process.env) {
  const dataDirText = env.FULFIL_DATA_DIR || '.data';
  const dataDir = isAbsolute(dataDirText) ? dataDirText : resolve(root, dataDirText);
  const only = env.FULFIL_SERVICES
    ? env.FULFIL_SERVICES.split(',')
        .map((name) => name.trim())
        .filter(Boolean)
    : undefined;
  return {
    root,
    dataDir,
    postgresUrl: serverUrl(env),
    postgresPort: port(env, 'FULFIL_POSTGRES_PORT', 54329),
    postgresDataDir: join(dataDir, 'postgres'),
    kafkaBrokers: brokers(env),
    kafkaPort: port(env, 'FULFIL_KAFKA_PORT', 9092),
    kafkaDataDir: join(dataDir, 'kafka'),
    // Partitions of each topic the start creates. One, because the start runs one instance of
    // each service: a consumer then takes a topic's waiting events into one transaction instead
    // of one per partition, and fewer transactions run at once (3–8 % less CPU per order in
    // bench:orders; docs/order-lifecycle.md, Throughput). A second instance of a service needs
    // at least two to get any work; docker-compose and Kubernetes create three.
    topicPartitions: integer(env, 'FULFIL_TOPIC_PARTITIONS', 1, 1),
    tokensFile: join(dataDir, 'local-tokens.json'),
    servicePortOffset: integer(env, 'FULFIL_SERVICE_PORT_OFFSET', 0, 0),
    services: only,
    logLevel: env.LOG_LEVEL || 'info',
    readyTimeoutMs: integer(env, 'FULFIL_READY_TIMEOUT_MS', 120_000, 1_000),
    stopGraceMs: integer(env, 'FULFIL_STOP_GRACE_MS', 15_000, 100),
    pidsFile: env.FULFIL_PIDS_FILE ? resolve(root, env.FULFIL_PIDS_FILE) : undefined,
    skipInstall: flag(env, 'FULFIL_SKIP_INSTALL'),
    postgresStatementStats: flag(env, 'FULFIL_POSTGRES_STATEMENT_STATS'),
    // Node's own flags for every service, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (which
    // NODE_OPTIONS refuses). Space-separated, no quoting.
    serviceNodeArgs: (env.FULFIL_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  };
}
