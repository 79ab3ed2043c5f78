import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@fulfil/local-infra';
import { freePort } from './free-port';

/** A durable PostgreSQL of one test file's own, which the test may crash and start again. */
export interface DurablePostgres {
  /** Server URL without a database (changes with each start). */
  readonly url: string;
  /** Stops PostgreSQL at once, as a crash would (immediate shutdown: no checkpoint). */
  crash(): Promise<void>;
  /** Starts it again on the same data: crash recovery replays the WAL on disk. */
  restart(): Promise<void>;
  /** Stops it and deletes its data. */
  stop(): Promise<void>;
}

/**
 * Starts a PostgreSQL server on a cluster of its own, with fsync and synchronous commit on —
 * unlike the shared test server, which runs without them — for tests of what a crash keeps.
 * Its data lives in a temporary directory deleted on `stop`.
 */
export async function startDurablePostgres(): Promise<DurablePostgres> {
  const baseDir = mkdtempSync(join(tmpdir(), 'fulfil-durable-pg-'));
  chmodSync(baseDir, 0o755); // PostgreSQL runs as user postgres when the tests run as root
  const port = await freePort();
  const start = () =>
    startEmbeddedPostgres({ dataDir: join(baseDir, 'data'), port, unref: true, onLog: () => {} });
  let server: EmbeddedPostgres | undefined;
  try {
    server = await start();
  } catch (error) {
    rmSync(baseDir, { recursive: true, force: true });
    throw error;
  }
  return {
    get url() {
      return server!.url;
    },
    async crash() {
      const crashed = server!;
      process.kill(crashed.postgresPid, 'SIGQUIT');
      await crashed.exited;
    },
    async restart() {
      server = await start();
    },
    async stop() {
      await server?.stop().catch(() => undefined); // after a crash it is gone already
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
