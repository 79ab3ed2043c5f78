// The broker crashing under load: `npm start` with orders, inventory and payments on a
// development broker of the test's own (`KAFKA_BROKERS`), which the test SIGKILLs mid-load —
// no shutdown hook runs — and starts again on the same port and data a few seconds later.
// Orders are placed throughout: placing needs only PostgreSQL (the event waits in the outbox),
// so every request is accepted, and every order must then go all the way once the broker is
// back. The payment provider is the SIMULATED one inside payments, paying every intent at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startDevBrokerProcess, type DevBrokerProcess } from '@fulfil/local-infra';
import { freePort } from '@fulfil/testing';
import type { LocalStack } from './support/local-stack';
import {
  CRASH_LOAD,
  expectOrderFlowOnce,
  placeEachOnceAroundCrash,
  startStockedStack,
} from './support/crash-under-load';
import type { PlatformClient } from './support/platform-client';

const SKU = `broker-crash-sku-${randomUUID().slice(0, 8)}`;
const DOWN_FOR_MS = 3_000;

let brokerDir: string;
let brokerPort: number;
let broker: DevBrokerProcess | undefined;
let stack: LocalStack | undefined;
let api: PlatformClient;

const startBroker = async (): Promise<DevBrokerProcess> =>
  (broker = await startDevBrokerProcess({ port: brokerPort, dataDir: brokerDir }));

beforeAll(async () => {
  brokerDir = mkdtempSync(join(tmpdir(), 'fulfil-crash-broker-'));
  brokerPort = await freePort();
  await startBroker();
  ({ stack, api } = await startStockedStack(
    { KAFKA_BROKERS: broker!.address },
    SKU,
    CRASH_LOAD.orders,
  ));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await broker?.stop().catch(() => undefined);
  rmSync(brokerDir, { recursive: true, force: true });
}, 120_000);

/** SIGKILL, as a machine losing power would stop it; resolves once the process is gone. */
async function crashBroker(): Promise<void> {
  const crashed = broker!;
  process.kill(crashed.pid, 'SIGKILL');
  await crashed.exited;
}

describe('a broker crash under load', () => {
  it('loses no order: each is reserved, paid and confirmed exactly once', async () => {
    const restarted = () =>
      crashBroker()
        .then(() => new Promise((done) => setTimeout(done, DOWN_FOR_MS)))
        .then(startBroker);
    const orderIds = await placeEachOnceAroundCrash(api, SKU, restarted);

    await expectOrderFlowOnce(api, stack!, orderIds, SKU);
  }, 400_000);
});
