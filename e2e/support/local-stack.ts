// Runs `npm start` (tools/start/start.mjs) in a temporary data directory on free ports, so a
// test or benchmark never touches a developer's running stack, and stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVICE_CATALOG, type ServiceName } from '@fulfil/contracts';
import { freePort, freePortOffset } from '@fulfil/testing';
import { embeddedPostgresTcpUrl } from '@fulfil/local-infra';

export const REPO_ROOT = resolve(__dirname, '../..');

/** The catalog's ports: the services' (3001–3006) and their simulators' (+100). */
const CATALOG_PORTS = Object.values(SERVICE_CATALOG).flatMap((s) => [
  s.defaultPort,
  s.defaultPort + 100,
]);

export async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Polls `check` every 250 ms; false when `timeoutMs` passed first. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((done) => setTimeout(done, 250));
  }
  return true;
}

export interface LocalStackOptions {
  /** Services to start (`FULFIL_SERVICES`); default all. */
  readonly services?: readonly ServiceName[];
  /**
   * Extra environment for `npm start` and so for every service. `POSTGRES_URL` (`KAFKA_BROKERS`)
   * here runs the stack on that server (broker) instead of an embedded one; the caller's own
   * environment never does.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Where `FULFIL_PIDS_FILE` goes, relative to the data directory. */
  readonly pidsFile?: boolean;
  /**
   * The data directory to use, kept on `stop` (a stack started again on it finds its tokens);
   * default a new temporary one, removed on `stop`.
   */
  readonly dataDir?: string;
  /** The service port offset (a restarted stack keeps its ports); default a free one. */
  readonly offset?: number;
}

/** What `npm start` wrote to `FULFIL_PIDS_FILE`: itself and every process it started. */
export interface RecordedPids {
  readonly start: number;
  readonly processes: ReadonlyArray<{ readonly name: string; readonly pid: number }>;
}

export interface LocalStack {
  readonly process: ChildProcess;
  readonly dataDir: string;
  readonly offset: number;
  /** Base URL of each started service. */
  readonly urls: Readonly<Partial<Record<ServiceName, string>>>;
  /** The development broker `npm start` started, or `KAFKA_BROKERS`. */
  readonly kafkaBrokers: string[];
  /** The PostgreSQL server (no database): the embedded one over TCP on 127.0.0.1, or `POSTGRES_URL`. */
  readonly postgresUrl: string;
  /** Everything `npm start` printed so far. */
  output(): string;
  /** The last `lines` lines of the output, for error messages. */
  tail(lines?: number): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for every service's `/health/ready` (throws with the output's tail otherwise). */
  ready(timeoutMs?: number): Promise<void>;
  /** The `local-dev` bearer token from `local-tokens.json`. */
  token(): string;
  /** The processes `npm start` recorded (started with `pidsFile`). */
  pids(): RecordedPids;
  /** SIGINT, then waits for the exit (SIGKILL after `timeoutMs`); removes a temporary data directory. */
  stop(
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'>;
}

/** Spawns `npm start` with its own data directory, PostgreSQL and broker ports and port offset. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fulfil-stack-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as user "postgres" when we are root
  // An offset that moves every catalog port onto free ones; then the broker's and PostgreSQL's
  // ports unless given servers replace them, none of them one of those: all look free until
  // their servers bind them.
  const offset = options.offset ?? (await freePortOffset(CATALOG_PORTS));
  const taken = CATALOG_PORTS.map((port) => port + offset);
  const kafkaPort = options.env?.KAFKA_BROKERS ? undefined : await freePort(taken);
  if (kafkaPort) taken.push(kafkaPort);
  const postgresPort = options.env?.POSTGRES_URL ? undefined : await freePort(taken);
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  delete inherited.POSTGRES_URL;
  delete inherited.KAFKA_BROKERS;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    FULFIL_DATA_DIR: dataDir,
    ...(postgresPort && { FULFIL_POSTGRES_PORT: String(postgresPort) }),
    ...(kafkaPort && { FULFIL_KAFKA_PORT: String(kafkaPort) }),
    FULFIL_SERVICE_PORT_OFFSET: String(offset),
    FULFIL_SKIP_INSTALL: '1',
    LOG_LEVEL: 'warn',
    ...(options.pidsFile ? { FULFIL_PIDS_FILE: join(dataDir, 'pids.json') } : {}),
    ...options.env,
  };
  if (options.services) env.FULFIL_SERVICES = options.services.join(',');
  else delete env.FULFIL_SERVICES;
  const child = spawn(process.execPath, [join(REPO_ROOT, 'tools/start/start.mjs')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const names = options.services ?? (Object.keys(SERVICE_CATALOG) as ServiceName[]);
  const urls = Object.fromEntries(
    names.map((name) => [name, `http://127.0.0.1:${SERVICE_CATALOG[name].defaultPort + offset}`]),
  );
  const tail = (lines = 60) => output.split('\n').slice(-lines).join('\n');
  return {
    process: child,
    dataDir,
    offset,
    urls,
    kafkaBrokers: options.env?.KAFKA_BROKERS?.split(',') ?? [`127.0.0.1:${kafkaPort!}`],
    postgresUrl: options.env?.POSTGRES_URL ?? embeddedPostgresTcpUrl(postgresPort!),
    output: () => output,
    tail,
    exited,
    async ready(timeoutMs = 150_000) {
      const all = Object.values(urls).map((url) => `${url}/health/ready`);
      const ok = await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`npm start exited early:\n${tail()}`);
        return (await Promise.all(all.map(isReady))).every(Boolean);
      }, timeoutMs);
      if (!ok) throw new Error(`not every /health/ready answered 200:\n${tail()}`);
    },
    token() {
      const tokens = JSON.parse(readFileSync(join(dataDir, 'local-tokens.json'), 'utf8')) as Array<{
        token: string;
      }>;
      return tokens[0]!.token;
    },
    pids() {
      return JSON.parse(readFileSync(join(dataDir, 'pids.json'), 'utf8')) as RecordedPids;
    },
    async stop(timeoutMs = 60_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        exited,
        new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), timeoutMs))),
      ]).finally(() => clearTimeout(timer));
      if (result === 'timeout') child.kill('SIGKILL');
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}
