import { ErrorCode } from '../../protocol/error-codes';
import { FetchApi, ListOffsetsApi } from '../../protocol/messages';
import { RequestOf, ResponseOf } from '../../protocol/api';
import { BrokerState, handler, HandlerRegistration } from '../handler';

type FetchRequest = RequestOf<typeof FetchApi>;
type FetchResponse = ResponseOf<typeof FetchApi>;

const EMPTY = Buffer.alloc(0);
const LATEST = -1;
const EARLIEST = -2;

export function fetchHandlers(broker: BrokerState): HandlerRegistration[] {
  /** Reads what is there now; `bytes` tells whether min_bytes is met. */
  const collect = (
    request: FetchRequest,
  ): { response: FetchResponse; bytes: number; failed: boolean } => {
    let budget = request.maxBytes;
    let bytes = 0;
    let failed = false;
    const responses = request.topics.map((topic) => ({
      topic: topic.topic,
      partitions: topic.partitions.map((p) => {
        const log = broker.logs.partition(topic.topic, p.partition);
        const base = {
          partitionIndex: p.partition,
          errorCode: ErrorCode.NONE as number,
          highWatermark: log?.highWatermark ?? -1,
          lastStableOffset: log?.highWatermark ?? -1,
          logStartOffset: log?.logStartOffset ?? -1,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: EMPTY,
        };
        if (!log) {
          failed = true;
          return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        }
        // Once the response is full, later partitions answer empty; the first batch always fits (KIP-74).
        if (bytes > 0 && budget <= 0) return base;
        const read = log.read(p.fetchOffset, Math.max(1, Math.min(p.partitionMaxBytes, budget)));
        if (read.errorCode !== ErrorCode.NONE) {
          failed = true;
          return { ...base, errorCode: read.errorCode };
        }
        const records = read.records ?? EMPTY;
        bytes += records.length;
        budget -= records.length;
        return { ...base, records };
      }),
    }));
    return {
      response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses },
      bytes,
      failed,
    };
  };

  /** Resolves on the first append to any requested partition, at the deadline, or on shutdown. */
  const appendOrTimeout = (request: FetchRequest, waitMs: number) =>
    new Promise<void>((resolve) => {
      const unsubscribers: (() => void)[] = [];
      const done = () => {
        clearTimeout(timer);
        unsubscribers.forEach((unsubscribe) => unsubscribe());
        broker.stopping.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      for (const topic of request.topics) {
        for (const p of topic.partitions) {
          const log = broker.logs.partition(topic.topic, p.partition);
          if (log) unsubscribers.push(log.onAppend(done));
        }
      }
      broker.stopping.addEventListener('abort', done);
    });

  return [
    handler(FetchApi, async (request) => {
      const deadline = Date.now() + Math.max(0, request.maxWaitMs);
      for (;;) {
        const result = collect(request);
        const waitMs = deadline - Date.now();
        const enough = result.bytes >= request.minBytes || result.failed;
        if (enough || waitMs <= 0 || broker.stopping.aborted) {
          return result.response;
        }
        await appendOrTimeout(request, waitMs);
      }
    }),

    handler(ListOffsetsApi, (request) => ({
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => {
          const log = broker.logs.partition(topic.name, p.partitionIndex);
          const answer = (errorCode: number, offset: number, timestamp = -1) => ({
            partitionIndex: p.partitionIndex,
            errorCode,
            oldStyleOffsets: offset >= 0 ? [offset] : [],
            timestamp,
            offset,
            leaderEpoch: 0,
          });
          if (!log) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1);
          if (p.timestamp === LATEST) return answer(ErrorCode.NONE, log.highWatermark);
          if (p.timestamp === EARLIEST) return answer(ErrorCode.NONE, log.logStartOffset);
          const found = log.offsetForTimestamp(p.timestamp);
          return found
            ? answer(ErrorCode.NONE, found.offset, found.timestamp)
            : answer(ErrorCode.NONE, -1);
        }),
      })),
    })),
  ];
}
