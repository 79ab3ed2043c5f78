import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnUntilReady, stopChild, type ChildExit } from './child-process';

/** Credentials of every embedded cluster (local development and tests only). */
export const EMBEDDED_POSTGRES_USER = 'postgres';
export const EMBEDDED_POSTGRES_PASSWORD = 'postgres';

const READY_LINE = /^PostgreSQL ready on (\S+):(\d+) \(pid (\d+), data in (.*)\)$/;

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Cluster directory; initialised when it holds no cluster yet. Its parents must be traversable by others when running as root (PostgreSQL then runs as user `postgres`). */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1. */
  readonly port: number;
  /** Delete `dataDir` after PostgreSQL has stopped (temporary clusters). Default false. */
  readonly removeDataDirOnStop?: boolean;
  /**
   * Throwaway cluster: fsync, synchronous commit and full-page writes off (several times faster
   * database creation and commits; an OS crash may corrupt it). Default false (durable).
   */
  readonly noFsync?: boolean;
  /** Preload pg_stat_statements, to count statements per database (benchmarks). Default false. */
  readonly statementStats?: boolean;
  /** More files or directories the runner deletes once PostgreSQL has stopped. */
  readonly removeOnStop?: readonly string[];
  /** Limit for initialise + start. Default 60 s. */
  readonly readyTimeoutMs?: number;
  /**
   * Own process group (`npm start`): a terminal's Ctrl-C then reaches only the parent, which
   * stops things in order. Default false.
   */
  readonly detached?: boolean;
  /** Receives PostgreSQL's warnings and errors (all of its log with `verbose`). Default: ignored. */
  readonly onLog?: (line: string) => void;
  /** Forward PostgreSQL's whole log to `onLog`, not only warnings and errors. */
  readonly verbose?: boolean;
  /**
   * When true the runner process does not keep this process's event loop alive (test workers):
   * it still stops PostgreSQL when this process exits, because its stdin pipe then closes.
   */
  readonly unref?: boolean;
}

/** A running embedded PostgreSQL server. */
export interface EmbeddedPostgres {
  /**
   * Server URL without a database: `postgres://postgres:postgres@127.0.0.1:<port>`, with
   * `?host=<data dir>` when PostgreSQL also listens on a Unix-domain socket there (used by
   * node-postgres in preference to TCP; keep the query when adding a database name).
   */
  readonly url: string;
  readonly port: number;
  /** The runner process (Node.js) and the postmaster it started. */
  readonly runnerPid: number;
  readonly postgresPid: number;
  /** Resolves when the runner has exited (after `stop()`, or when PostgreSQL died). */
  readonly exited: Promise<ChildExit>;
  /** Fast shutdown of PostgreSQL, then the runner exits; idempotent. */
  stop(): Promise<void>;
}

/** The URL of an embedded server (no database) on `port`, over TCP on 127.0.0.1. */
export function embeddedPostgresTcpUrl(port: number): string {
  return `postgres://${EMBEDDED_POSTGRES_USER}:${EMBEDDED_POSTGRES_PASSWORD}@127.0.0.1:${port}`;
}

/**
 * The server's URL. When the runner opened a Unix-domain socket in the data directory, the URL
 * names it in `?host=` (node-postgres and libpq then connect through it: about a quarter less
 * CPU per round trip than loopback TCP, for PostgreSQL and for the client); host and port
 * stay in the URL for tools that read them, and TCP stays open.
 */
function serverUrl(port: number, dataDir: string): string {
  const base = embeddedPostgresTcpUrl(port);
  const socketDirIsUsable = existsSync(join(dataDir, `.s.PGSQL.${port}`));
  return socketDirIsUsable ? `${base}?host=${encodeURIComponent(dataDir)}` : base;
}

/** The plain-Node runner script (copied next to the compiled file by the build). */
export const POSTGRES_RUNNER_PATH = join(__dirname, 'postgres-runner.cjs');

/**
 * Starts PostgreSQL (the `embedded-postgres` binaries) in a child process bound to 127.0.0.1.
 * The child, {@link POSTGRES_RUNNER_PATH}, initialises the cluster when needed, and stops
 * PostgreSQL on SIGTERM/SIGINT or when this process exits (its stdin pipe closes), so no
 * postgres process outlives the caller. Runs as root too (see README).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  if (!existsSync(POSTGRES_RUNNER_PATH)) {
    throw new Error(`PostgreSQL runner missing at ${POSTGRES_RUNNER_PATH} (run the build)`);
  }
  const args = [POSTGRES_RUNNER_PATH, '--data-dir', options.dataDir, '--port', `${options.port}`];
  if (options.removeDataDirOnStop) args.push('--remove-data-dir-on-exit');
  for (const path of options.removeOnStop ?? []) args.push('--remove-on-exit', path);
  if (options.noFsync) args.push('--no-fsync');
  if (options.statementStats) args.push('--statement-stats');
  if (options.verbose) args.push('--verbose');
  const started = await spawnUntilReady({
    command: process.execPath,
    args,
    readyLine: READY_LINE,
    label: `embedded PostgreSQL on port ${options.port}`,
    detached: options.detached,
    timeoutMs: options.readyTimeoutMs ?? 60_000,
    stdinLifeline: true,
    onStderrLine: options.onLog,
  });
  const { child, exited } = started;
  if (options.unref) {
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
  }
  let stopped: Promise<void> | undefined;
  return {
    // The data directory as the runner resolved it (READY_LINE's last group always matches).
    url: serverUrl(options.port, started.ready[4]!),
    port: options.port,
    runnerPid: child.pid ?? -1,
    postgresPid: Number(started.ready[3]),
    exited,
    stop: () =>
      (stopped ??= stopChild(child, exited, 20_000).then(({ code, signal }) => {
        if (code !== 0 && signal !== 'SIGTERM') {
          throw new Error(
            `embedded PostgreSQL stopped with code ${code}, signal ${signal}:\n${started.stderrTail()}`,
          );
        }
      })),
  };
}
