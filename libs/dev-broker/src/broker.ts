import fs from 'node:fs';
import net from 'node:net';
import { BrokerOptions, resolveOptions } from './config';
import { GroupCoordinator } from './groups/group-coordinator';
import { OffsetStore } from './groups/offset-store';
import { Connection } from './server/connection';
import { Dispatcher } from './server/dispatcher';
import { BrokerState, stopController } from './server/handler';
import { clusterHandlers } from './server/handlers/cluster.handlers';
import { fetchHandlers } from './server/handlers/fetch.handlers';
import { groupHandlers } from './server/handlers/group.handlers';
import { offsetHandlers } from './server/handlers/offset.handlers';
import { produceHandlers } from './server/handlers/produce.handlers';
import { DataDirLock } from './storage/data-dir-lock';
import { LogManager } from './storage/log-manager';
import { ProducerIdAllocator } from './storage/producer-ids';

/** A broker started by {@link startBroker}. */
export interface RunningBroker {
  /** Advertised host, as clients should dial it. */
  readonly host: string;
  /** Bound port (the real one when 0 was asked for). */
  readonly port: number;
  readonly nodeId: number;
  /** `host:port`, ready for a kafkajs `brokers` list or `KAFKA_BROKERS`. */
  readonly address: string;
  readonly dataDir: string;
  /** Stops accepting, ends long polls, closes connections and files. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a single-node Kafka-protocol development broker: recovers the data
 * directory, then listens. Resolves once clients can connect.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const config = resolveOptions(options);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const lock = DataDirLock.acquire(config.dataDir);
  const logs = LogManager.open({
    dataDir: config.dataDir,
    defaultPartitions: config.defaultPartitions,
    log: {
      segmentBytes: config.segmentBytes,
      retentionBytes: config.retentionBytes,
      retentionMs: config.retentionMs,
      fsync: config.fsync,
    },
  });
  if (logs.recoveredBytes > 0) {
    config.logger.warn(
      `truncated ${logs.recoveredBytes} bytes of torn writes left by an unclean stop`,
    );
  }
  const offsetStore = OffsetStore.open(config.dataDir, { fsync: config.fsync });
  const groups = new GroupCoordinator({
    offsetStore,
    initialRebalanceDelayMs: config.initialRebalanceDelayMs,
    minSessionTimeoutMs: 1000,
    maxSessionTimeoutMs: 1_800_000,
  });
  const stopping = stopController();
  const state: BrokerState = {
    nodeId: config.nodeId,
    clusterId: 'fulfil-dev-broker',
    autoCreateTopics: config.autoCreateTopics,
    advertised: { host: config.advertisedHost, port: config.port },
    logs,
    groups,
    producerIds: ProducerIdAllocator.open(config.dataDir),
    logger: config.logger,
    stopping: stopping.signal,
  };
  const dispatcher = new Dispatcher([
    ...clusterHandlers(state),
    ...produceHandlers(state),
    ...fetchHandlers(state),
    ...groupHandlers(state),
    ...offsetHandlers(state),
  ]);

  const connections = new Set<Connection>();
  const server = net.createServer((socket) => {
    const connection = new Connection(socket, dispatcher, config.logger, config.maxFrameBytes);
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  }).catch((error) => {
    groups.close();
    offsetStore.close();
    logs.close();
    lock.release();
    throw error;
  });
  const port = (server.address() as net.AddressInfo).port;
  state.advertised = { host: config.advertisedHost, port };

  const retention = setInterval(() => {
    const freed = logs.applyRetention(Date.now());
    if (freed > 0) config.logger.info(`retention freed ${freed} bytes`);
  }, config.retentionCheckIntervalMs);
  retention.unref();

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      clearInterval(retention);
      stopping.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Let handlers woken by `stopping` send their answers before sockets go.
      await new Promise((resolve) => setImmediate(resolve));
      for (const connection of connections) connection.close();
      await closed;
      groups.close();
      offsetStore.close();
      logs.close();
      lock.release();
    })());

  return {
    host: config.advertisedHost,
    port,
    nodeId: config.nodeId,
    address: `${config.advertisedHost}:${port}`,
    dataDir: config.dataDir,
    stop,
  };
}
