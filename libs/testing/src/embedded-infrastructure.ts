import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startBroker } from '@fulfil/dev-broker';
import { createDatabase, dropDatabase } from '@fulfil/local-infra';
import {
  sharedEmbeddedPostgres,
  startTemporaryPostgres,
  workerScratchDir,
} from './shared-postgres';
import type { TestInfrastructure, TestInfrastructureOptions } from './test-infrastructure.types';

/** A database name no other caller uses: prefix, worker pid and random bits. */
export function freshDatabaseName(prefix = 'test'): string {
  if (!/^[a-z_][a-z0-9_]{0,30}$/i.test(prefix)) {
    throw new Error(`databasePrefix must be letters, digits and _ (≤ 31), got ${prefix}`);
  }
  return `${prefix}_${process.pid}_${randomBytes(5).toString('hex')}`.toLowerCase();
}

async function startPostgres(
  options: TestInfrastructureOptions,
): Promise<{ serverUrl: string; processIds: number[]; stopServer: () => Promise<void> }> {
  if (options.dedicatedPostgres) {
    const server = await startTemporaryPostgres();
    return {
      serverUrl: server.url,
      processIds: [server.runnerPid, server.postgresPid],
      stopServer: () => server.stop(),
    };
  }
  const shared = await sharedEmbeddedPostgres();
  return {
    serverUrl: shared.url,
    processIds: [shared.runnerPid, shared.postgresPid],
    stopServer: async () => undefined,
  };
}

/**
 * Embedded PostgreSQL (the worker's shared server, or a dedicated one) with a fresh database,
 * and an in-process development broker on a free port with a temporary data directory.
 */
export async function startEmbeddedInfrastructure(
  options: TestInfrastructureOptions,
): Promise<TestInfrastructure> {
  const kafkaDir = await mkdtemp(join(workerScratchDir(), 'kafka-'));
  const [postgres, broker] = await Promise.all([
    startPostgres(options),
    startBroker({ port: 0, dataDir: kafkaDir }),
  ]).catch(async (error: unknown) => {
    await rm(kafkaDir, { recursive: true, force: true });
    throw error;
  });
  const name = freshDatabaseName(options.databasePrefix);
  const postgresUrl = await createDatabase(postgres.serverUrl, name);
  let stopped: Promise<void> | undefined;
  return {
    postgresUrl,
    postgresServerUrl: postgres.serverUrl,
    kafkaBrokers: [broker.address],
    kind: 'embedded',
    processIds: postgres.processIds,
    stop: () =>
      (stopped ??= (async () => {
        await broker.stop();
        await rm(kafkaDir, { recursive: true, force: true });
        if (options.dedicatedPostgres) await postgres.stopServer();
        else await dropDatabase(postgres.serverUrl, name);
      })()),
  };
}
