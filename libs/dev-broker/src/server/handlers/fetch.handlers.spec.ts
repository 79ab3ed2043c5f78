import { getEventListeners } from 'node:events';
import type { RequestOf, ResponseOf } from '../../protocol/api';
import { ErrorCode } from '../../protocol/error-codes';
import { FetchApi } from '../../protocol/messages';
import { LogManager } from '../../storage/log-manager';
import { batchOf, makeTempDir, TEST_LOG_OPTIONS } from '../../storage/storage.test-helper';
import { stopController, type BrokerState, type CallContext } from '../handler';
import { fetchHandlers } from './fetch.handlers';

// The long poll of Fetch: a fetch with nothing to return waits for an append, its max wait or
// the broker's stop — and leaves nothing behind when it ends, however many fetches wait over the
// broker's life (consumers at rest send one every max wait).

const CALL: CallContext = { apiVersion: 11, clientId: 'test', clientHost: '127.0.0.1' };
const TOPIC = 'orders.events';

let tmp: ReturnType<typeof makeTempDir>;
let logs: LogManager;
let stopping: AbortController;
let fetch: (request: RequestOf<typeof FetchApi>) => Promise<ResponseOf<typeof FetchApi>>;

beforeEach(() => {
  tmp = makeTempDir();
  logs = LogManager.open({ dataDir: tmp.path, defaultPartitions: 1, log: TEST_LOG_OPTIONS });
  expect(logs.createTopic(TOPIC, 1)).toBe(ErrorCode.NONE);
  stopping = stopController();
  // The fetch handlers read only the logs and the stop signal of the broker's state.
  const state = { logs, stopping: stopping.signal } as Partial<BrokerState> as BrokerState;
  const registration = fetchHandlers(state).find(({ api }) => api === FetchApi)!;
  fetch = async (request) =>
    (await registration.handle(request, CALL)) as ResponseOf<typeof FetchApi>;
});

afterEach(() => {
  logs.close();
  tmp.remove();
});

/** A fetch of the topic's one partition from offset 0 that waits up to `maxWaitMs`. */
function fetchFromStart(maxWaitMs: number): RequestOf<typeof FetchApi> {
  return {
    replicaId: -1,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: TOPIC,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0,
            logStartOffset: -1,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

const recordBytes = (response: ResponseOf<typeof FetchApi>) =>
  response.responses[0]!.partitions[0]!.records?.length ?? 0;
const stopListeners = () => getEventListeners(stopping.signal, 'abort').length;

describe('Fetch long poll', () => {
  it('listens for the stop only while it waits: fetches that waited out their time leave no listener behind', async () => {
    for (let i = 0; i < 20; i += 1) {
      const waiting = fetch(fetchFromStart(50));
      expect(stopListeners()).toBe(1);
      expect(recordBytes(await waiting)).toBe(0);
    }
    expect(stopListeners()).toBe(0);
  });

  it('lets many fetches wait at once, each listening until the stop ends it', async () => {
    const waiting = Array.from({ length: 30 }, () => fetch(fetchFromStart(600_000)));
    expect(stopListeners()).toBe(30);
    stopping.abort();
    await Promise.all(waiting);
    expect(stopListeners()).toBe(0);
  });

  it('answers a waiting fetch with the records as soon as they are appended', async () => {
    const waiting = fetch(fetchFromStart(600_000));
    logs.partition(TOPIC, 0)!.append([batchOf(2)], Date.now());

    expect(recordBytes(await waiting)).toBeGreaterThan(0);
    expect(stopListeners()).toBe(0);
  });

  it('answers a waiting fetch at once, empty, when the broker begins stopping', async () => {
    const waiting = fetch(fetchFromStart(600_000));
    stopping.abort();

    expect(recordBytes(await waiting)).toBe(0);
    expect(stopListeners()).toBe(0);
  });

  it('does not wait at all once the broker is stopping', async () => {
    stopping.abort();

    expect(recordBytes(await fetch(fetchFromStart(600_000)))).toBe(0);
    expect(stopListeners()).toBe(0);
  });
});
