import { startBroker, type BrokerOptions, type RunningBroker } from '../index';
import { createTempDataDir } from './temp-data-dir';

/** A broker started inside the test process on a free port, with its own data dir. */
export interface TestBroker {
  readonly broker: RunningBroker;
  /** "127.0.0.1:port", ready for kafkajs `brokers` or `kcat -b`. */
  readonly address: string;
  /** Broker log lines, kept instead of printed so test output stays readable. */
  readonly logs: string[];
  stop(): Promise<void>;
}

export async function startTestBroker(options: BrokerOptions = {}): Promise<TestBroker> {
  const dataDir = createTempDataDir();
  const logs: string[] = [];
  const broker = await startBroker({
    port: 0,
    dataDir: dataDir.path,
    // Tests join many short-lived groups; the default delay would only add waiting.
    initialRebalanceDelayMs: 50,
    logger: {
      info: (msg) => logs.push(`info ${msg}`),
      warn: (msg) => logs.push(`warn ${msg}`),
      error: (msg) => logs.push(`error ${msg}`),
    },
    ...options,
  });
  return {
    broker,
    address: broker.address,
    logs,
    stop: async () => {
      try {
        await broker.stop();
      } finally {
        dataDir.remove();
      }
    },
  };
}
