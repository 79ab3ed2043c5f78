import path from 'node:path';

/** Where the broker reports what it does; defaults to warnings and errors on stderr only. */
export interface BrokerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Options of {@link startBroker}; every one has a development-friendly default. */
export interface BrokerOptions {
  /** TCP port; 0 picks a free one (read it back from RunningBroker.port). Default 9092. */
  port?: number;
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** Host named in Metadata answers. Default: the bind host (127.0.0.1 for a wildcard bind). */
  advertisedHost?: string;
  /** Directory for logs, offsets and producer ids. Default `.data/kafka`. */
  dataDir?: string;
  nodeId?: number;
  /** Partitions of auto-created topics. Default 3. */
  defaultPartitions?: number;
  autoCreateTopics?: boolean;
  /** Segment file size before a new one is started. Default 64 MiB. */
  segmentBytes?: number;
  /** Per-partition size kept; -1 keeps everything. Default 1 GiB. */
  retentionBytes?: number;
  /** Age of data kept; -1 keeps everything. Default 7 days. */
  retentionMs?: number;
  retentionCheckIntervalMs?: number;
  /** fdatasync before acknowledging writes (power-loss safety). Default false. */
  fsync?: boolean;
  /** Largest request frame accepted; larger ones close the connection. Default 100 MiB. */
  maxFrameBytes?: number;
  /** Wait after the first member joins an empty group, so a starting fleet forms one generation. Default 300. */
  initialRebalanceDelayMs?: number;
  logger?: BrokerLogger;
}

export type ResolvedBrokerOptions = Required<BrokerOptions>;

const MiB = 1024 * 1024;

export const stderrLogger: BrokerLogger = {
  info: () => undefined,
  warn: (message) => process.stderr.write(`[dev-broker] WARN ${message}\n`),
  error: (message) => process.stderr.write(`[dev-broker] ERROR ${message}\n`),
};

export function resolveOptions(options: BrokerOptions): ResolvedBrokerOptions {
  const host = options.host ?? '127.0.0.1';
  const wildcard = host === '0.0.0.0' || host === '::';
  return {
    port: options.port ?? 9092,
    host,
    advertisedHost: options.advertisedHost ?? (wildcard ? '127.0.0.1' : host),
    dataDir: path.resolve(options.dataDir ?? '.data/kafka'),
    nodeId: options.nodeId ?? 1,
    defaultPartitions: options.defaultPartitions ?? 3,
    autoCreateTopics: options.autoCreateTopics ?? true,
    segmentBytes: options.segmentBytes ?? 64 * MiB,
    retentionBytes: options.retentionBytes ?? 1024 * MiB,
    retentionMs: options.retentionMs ?? 7 * 24 * 3600 * 1000,
    retentionCheckIntervalMs: options.retentionCheckIntervalMs ?? 60_000,
    fsync: options.fsync ?? false,
    maxFrameBytes: options.maxFrameBytes ?? 100 * MiB,
    initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 300,
    logger: options.logger ?? stderrLogger,
  };
}
