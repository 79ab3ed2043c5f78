import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startEmbeddedPostgres,
  waitForPostgres,
  type EmbeddedPostgres,
  isProcessAlive,
} from '@fulfil/local-infra';
import { freePort } from './free-port';

/** What the shared server of this process is, as recorded in its registry file. */
export interface SharedPostgresInfo {
  readonly url: string;
  readonly runnerPid: number;
  readonly postgresPid: number;
}

/**
 * The registry file naming this process's shared server. Jest gives every test file a fresh
 * module registry, so module state cannot carry the server from one suite to the next in the
 * same worker; a file keyed by the worker's pid can.
 */
export function sharedPostgresRegistry(pid = process.pid): string {
  return join(tmpdir(), `fulfil-testing-postgres-${pid}.json`);
}

async function reuseRecorded(): Promise<SharedPostgresInfo | undefined> {
  let info: SharedPostgresInfo;
  try {
    info = JSON.parse(readFileSync(sharedPostgresRegistry(), 'utf8')) as SharedPostgresInfo;
  } catch {
    return undefined;
  }
  if (!isProcessAlive(info.runnerPid) || !isProcessAlive(info.postgresPid)) return undefined;
  try {
    await waitForPostgres(info.url, 2_000);
    return info;
  } catch {
    return undefined;
  }
}

/** Starts a server on a free port in a fresh temporary directory (retrying a port clash). */
export async function startTemporaryPostgres(
  extraRemovals: (baseDir: string) => string[] = () => [],
): Promise<EmbeddedPostgres> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const baseDir = mkdtempSync(join(tmpdir(), 'fulfil-pg-'));
    // PostgreSQL runs as user "postgres" when we are root: it must reach the data directory.
    chmodSync(baseDir, 0o755);
    try {
      return await startEmbeddedPostgres({
        dataDir: join(baseDir, 'data'),
        port: await freePort(),
        removeOnStop: [baseDir, ...extraRemovals(baseDir)],
        // Throwaway cluster: durability against OS crashes buys nothing in tests.
        noFsync: true,
        unref: true,
      });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Scratch space of this process (the brokers' data directories): deleted with the shared
 * server when the process exits, even when nobody called `stop()`.
 */
export function workerScratchDir(): string {
  const dir = join(tmpdir(), `fulfil-testing-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

let starting: Promise<SharedPostgresInfo> | undefined;

/**
 * The embedded PostgreSQL server shared by every caller in this process (one per Jest worker).
 * It is started on first use and stops when the process exits: its runner watches the stdin
 * pipe this process holds, so even a killed worker takes it (and its data directory, registry
 * file and {@link workerScratchDir}) along.
 */
export function sharedEmbeddedPostgres(): Promise<SharedPostgresInfo> {
  starting ??= (async () => {
    const recorded = await reuseRecorded();
    if (recorded) return recorded;
    const registry = sharedPostgresRegistry();
    const server = await startTemporaryPostgres(() => [registry, workerScratchDir()]);
    const info: SharedPostgresInfo = {
      url: server.url,
      runnerPid: server.runnerPid,
      postgresPid: server.postgresPid,
    };
    writeFileSync(registry, JSON.stringify(info));
    return info;
  })().catch((error: unknown) => {
    starting = undefined;
    throw error;
  });
  return starting;
}
