import { databaseUrl, isProcessAlive } from '@fulfil/local-infra';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { startTestInfrastructure, type TestInfrastructure } from './index';

const REPO_ROOT = resolve(__dirname, '../../..');

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const userTables = (url: string) =>
  query<{ table_name: string }>(
    url,
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
  );

async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 100));
  }
}

function portAccepts(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((done) => {
    const socket = connect(Number(port), host);
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function roundTrip(brokers: string[], topic: string): Promise<string> {
  const kafka = new Kafka({ clientId: 'harness-test', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k1', value: 'hello harness' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    return await new Promise<string>((done) => {
      void consumer.run({ eachMessage: async ({ message }) => done(String(message.value)) });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('startTestInfrastructure', () => {
  let first: TestInfrastructure;
  let second: TestInfrastructure;

  beforeAll(async () => {
    [first, second] = await Promise.all([startTestInfrastructure(), startTestInfrastructure()]);
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('gives each caller its own fresh, empty database', async () => {
    expect(first.postgresUrl).not.toEqual(second.postgresUrl);
    expect(await userTables(first.postgresUrl)).toEqual([]);
    await query(first.postgresUrl, 'CREATE TABLE widgets (id int PRIMARY KEY, name text)');
    await query(first.postgresUrl, "INSERT INTO widgets VALUES (1, 'one')");
    expect(await query(first.postgresUrl, 'SELECT name FROM widgets')).toEqual([{ name: 'one' }]);
    expect(await userTables(second.postgresUrl)).toEqual([]);
  });

  it('gives Kafka brokers that kafkajs can produce to and consume from', async () => {
    expect(await roundTrip(first.kafkaBrokers, 'harness.round-trip')).toBe('hello harness');
  });

  it('drops the database and stops the broker on stop()', async () => {
    const infra = await startTestInfrastructure({ databasePrefix: 'dropped' });
    const name = new URL(infra.postgresUrl).pathname.slice(1);
    await infra.stop();
    const left = await query(
      databaseUrl(infra.postgresServerUrl, 'postgres'),
      `SELECT datname FROM pg_database WHERE datname = '${name}'`,
    );
    expect(left).toEqual([]);
    expect(await portAccepts(infra.kafkaBrokers[0])).toBe(false);
  });

  it('leaves no PostgreSQL process behind when a dedicated server is stopped', async () => {
    const infra = await startTestInfrastructure({ kind: 'embedded', dedicatedPostgres: true });
    expect(await userTables(infra.postgresUrl)).toEqual([]);
    expect(infra.processIds.length).toBe(2);
    expect(infra.processIds.every(isProcessAlive)).toBe(true);
    await infra.stop();
    await eventually(() => !infra.processIds.some(isProcessAlive));
  });

  it('stops the shared server when its worker process exits, without stop()', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'worker-exit.fixture.ts')],
      { cwd: REPO_ROOT, env: { ...process.env, FULFIL_TEST_INFRA: 'embedded' } },
    );
    const started = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      processIds: number[];
      registry: string;
      scratch: string;
    };
    expect(started.processIds.length).toBe(2);
    await eventually(
      () =>
        !started.processIds.some(isProcessAlive) &&
        !existsSync(started.registry) &&
        !existsSync(started.scratch),
    );
  });
});
