#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { BrokerLogger, BrokerOptions } from './config';
import { startBroker } from './broker';

const USAGE = `Kafka development broker — one node speaking the Kafka wire protocol, for development and tests.
Not for production: no replication, transactions, SASL/TLS or log compaction.

Usage: npm run broker -- [options]

  --port <n>                        TCP port (default 9092; 0 = any free port)
  --host <address>                  bind address (default 127.0.0.1)
  --advertised-host <name>          host named in Metadata (default: the bind host)
  --data-dir <dir>                  data directory (default .data/kafka)
  --node-id <n>                     broker node id (default 1)
  --partitions <n>                  partitions of auto-created topics (default 3)
  --no-auto-create-topics           answer UNKNOWN_TOPIC_OR_PARTITION instead of creating topics
  --segment-bytes <n>               segment file size (default 67108864)
  --retention-bytes <n>             bytes kept per partition, -1 = all (default 1073741824)
  --retention-ms <n>                age of data kept, -1 = forever (default 604800000)
  --fsync                           fdatasync before acknowledging (survives power loss)
  --max-frame-bytes <n>             largest request accepted (default 104857600)
  --initial-rebalance-delay-ms <n>  wait for more members of a new group (default 300)
  --help                            show this text`;

const INTEGER_OPTIONS = {
  port: 'port',
  'node-id': 'nodeId',
  partitions: 'defaultPartitions',
  'segment-bytes': 'segmentBytes',
  'retention-bytes': 'retentionBytes',
  'retention-ms': 'retentionMs',
  'max-frame-bytes': 'maxFrameBytes',
  'initial-rebalance-delay-ms': 'initialRebalanceDelayMs',
} as const;

class UsageError extends Error {}

function parseOptions(argv: string[]): BrokerOptions | 'help' {
  const { values: parsed } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...Object.fromEntries(
        Object.keys(INTEGER_OPTIONS).map((name) => [name, { type: 'string' as const }]),
      ),
      host: { type: 'string' },
      'advertised-host': { type: 'string' },
      'data-dir': { type: 'string' },
      'no-auto-create-topics': { type: 'boolean' },
      fsync: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  if (values.help) return 'help';
  const options: BrokerOptions = {
    host: values.host as string | undefined,
    advertisedHost: values['advertised-host'] as string | undefined,
    dataDir: values['data-dir'] as string | undefined,
    autoCreateTopics: !values['no-auto-create-topics'],
    fsync: Boolean(values.fsync),
  };
  for (const [flag, key] of Object.entries(INTEGER_OPTIONS)) {
    const text = values[flag] as string | undefined;
    if (text === undefined) continue;
    if (!/^-?\d+$/.test(text))
      throw new UsageError(`--${flag} must be an integer, got ${JSON.stringify(text)}`);
    options[key] = Number(text);
  }
  if (options.port !== undefined && (options.port < 0 || options.port > 65535)) {
    throw new UsageError('--port must be between 0 and 65535');
  }
  return options;
}

const stamp = () => new Date().toISOString();
const consoleLogger: BrokerLogger = {
  info: (message) => console.log(`${stamp()} INFO ${message}`),
  warn: (message) => console.error(`${stamp()} WARN ${message}`),
  error: (message) => console.error(`${stamp()} ERROR ${message}`),
};

async function main(): Promise<void> {
  let options: BrokerOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const broker = await startBroker({ ...options, logger: consoleLogger });
  console.log(
    `Kafka development broker ready on ${broker.address} (node ${broker.nodeId}, data in ${broker.dataDir})`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1); // a second signal means "now"
    stopping = true;
    consoleLogger.info(`${signal} received, stopping`);
    broker.stop().then(
      () => process.exit(0),
      (error: Error) => {
        consoleLogger.error(`stop failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`Kafka development broker failed to start: ${error.message}`);
  process.exit(1);
});
