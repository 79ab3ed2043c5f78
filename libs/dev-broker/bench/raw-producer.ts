/**
 * "Broker capacity": a producer without a client library. Each Produce v3 request is
 * encoded once and written again and again: one RecordBatch of `batchSize` records built by
 * `buildRecordBatch` with producerId -1 (not idempotent), so the broker stores every copy as
 * new records at new offsets. Several requests are kept in flight on each connection, so the
 * broker never waits for the client; what is left is the broker's own cost per message.
 */
import { buildRecordBatch } from '../src/records/record-batch.test-helper';
import { frameRequest, RawKafkaSocket } from '../src/testing/raw-kafka-socket';
import { WireWriter } from '../src/testing/wire-codec';

const PRODUCE_API_KEY = 0;
/** The oldest version the broker accepts (v3: RecordBatch v2, transactional id). */
const PRODUCE_VERSION = 3;
const REQUEST_TIMEOUT_MS = 30_000;

export interface RawProduceSettings {
  readonly host: string;
  readonly port: number;
  readonly topic: string;
  readonly partitions: number;
  /** Rounded up to whole requests of `batchSize` records. */
  readonly messages: number;
  readonly messageBytes: number;
  readonly batchSize: number;
  readonly connections: number;
  /** Requests written but not yet answered, per connection. */
  readonly inFlight: number;
}

export interface RawProduceResult {
  readonly perSecond: number;
  readonly messages: number;
  readonly seconds: number;
}

/** A whole framed Produce request: one topic, one partition, one record batch, acks -1. */
function encodeProduceRequest(topic: string, partition: number, batch: Buffer): Buffer {
  const body = new WireWriter()
    .nullableString(null) // transactional id
    .int16(-1) // acks: all (the only replica)
    .int32(REQUEST_TIMEOUT_MS)
    .int32(1) // topics
    .nullableString(topic)
    .int32(1) // partitions
    .int32(partition)
    .int32(batch.length) // records (BYTES)
    .raw(batch)
    .toBuffer();
  return frameRequest({
    apiKey: PRODUCE_API_KEY,
    apiVersion: PRODUCE_VERSION,
    // Every copy carries the same id; answers come back in request order on a connection.
    correlationId: partition,
    clientId: 'bench-raw-producer',
    body,
  });
}

/**
 * Reads the error code of the single partition of a Produce v3 response:
 * correlation id, [topics: name, [partitions: index, error_code, …]], throttle time.
 */
function produceErrorCode(frame: Buffer): number {
  let pos = 4; // correlation id (response header v0)
  pos += 4; // topics count (always 1 here)
  pos += 2 + frame.readInt16BE(pos); // topic name
  pos += 4; // partitions count (always 1 here)
  pos += 4; // partition index
  return frame.readInt16BE(pos);
}

export async function produceRaw(settings: RawProduceSettings): Promise<RawProduceResult> {
  const timestamp = Date.now();
  const value = Buffer.alloc(settings.messageBytes, 0x61);
  // Keyless records, like the kafkajs phase; every record may share one timestamp.
  const batch = buildRecordBatch({
    producerId: -1,
    records: Array.from({ length: settings.batchSize }, () => ({ key: null, value, timestamp })),
  });
  const requests = Array.from({ length: settings.partitions }, (_, partition) =>
    encodeProduceRequest(settings.topic, partition, batch),
  );
  const total = Math.ceil(settings.messages / settings.batchSize);
  const sockets = await Promise.all(
    Array.from({ length: settings.connections }, () =>
      RawKafkaSocket.open(settings.host, settings.port),
    ),
  );
  let sent = 0;
  const sendNext = (socket: RawKafkaSocket): boolean => {
    if (sent >= total) return false;
    socket.write(requests[sent++ % requests.length]);
    return true;
  };
  const runConnection = async (socket: RawKafkaSocket): Promise<void> => {
    let outstanding = 0;
    while (outstanding < settings.inFlight && sendNext(socket)) outstanding++;
    while (outstanding > 0) {
      const frame = await socket.nextFrame(REQUEST_TIMEOUT_MS);
      outstanding--;
      const errorCode = produceErrorCode(frame);
      if (errorCode !== 0) throw new Error(`raw Produce answered with error code ${errorCode}`);
      if (sendNext(socket)) outstanding++;
    }
  };
  try {
    const started = performance.now();
    await Promise.all(sockets.map(runConnection));
    const seconds = (performance.now() - started) / 1000;
    const messages = total * settings.batchSize;
    return { perSecond: messages / seconds, messages, seconds };
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}
