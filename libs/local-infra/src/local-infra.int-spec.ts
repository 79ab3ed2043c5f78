import { isProcessAlive } from './child-process';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Client } from 'pg';
import {
  POSTGRES_RUNNER_PATH,
  createDatabase,
  databaseUrl,
  dropDatabase,
  startDevBrokerProcess,
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from './index';

/** A free port on 127.0.0.1 (no @fulfil/testing here: it depends on this library). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fulfil-local-infra-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as user "postgres" when the tests run as root
  return dir;
}

describe('databaseUrl', () => {
  it('puts the database name into a server URL and keeps the rest', () => {
    expect(databaseUrl('postgres://u:p@127.0.0.1:5432', 'after_sales')).toBe(
      'postgres://u:p@127.0.0.1:5432/after_sales',
    );
    expect(databaseUrl('postgresql://u:p@db:5432/other?sslmode=require', 'orders')).toBe(
      'postgresql://u:p@db:5432/orders?sslmode=require',
    );
  });
});

describe('startEmbeddedPostgres', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('serves a server URL, keeps data across restarts and leaves no process behind', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port });
    expect(first.url).toBe(
      `postgres://postgres:postgres@127.0.0.1:${port}?host=${encodeURIComponent(join(dir, 'pg'))}`,
    );
    const url = await createDatabase(first.url, 'kept');
    // Through the data directory's Unix-domain socket (no client address); TCP stays open.
    expect(await query(url, 'SELECT inet_client_addr() AS addr')).toEqual([{ addr: null }]);
    const overTcp = new URL(url);
    overTcp.search = '';
    expect(await query(overTcp.toString(), 'SELECT inet_client_addr() AS addr')).toEqual([
      { addr: '127.0.0.1' },
    ]);
    expect(await createDatabase(first.url, 'kept')).toBe(url); // idempotent
    await query(url, 'CREATE TABLE kept_rows (id int)');
    await query(url, 'INSERT INTO kept_rows VALUES (7)');
    await first.stop();
    await eventually(() => !isProcessAlive(first.postgresPid) && !isProcessAlive(first.runnerPid));

    const second = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port });
    try {
      expect(await query(url, 'SELECT id FROM kept_rows')).toEqual([{ id: 7 }]);
      await dropDatabase(second.url, 'kept');
      const left = await query(
        databaseUrl(second.url, 'postgres'),
        'SELECT datname FROM pg_database',
      );
      expect(left).not.toContainEqual({ datname: 'kept' });
    } finally {
      await second.stop();
    }
    expect(isProcessAlive(second.postgresPid)).toBe(false);
  });

  it('stays on TCP alone when the socket path would not fit in sun_path', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const port = await freePort();
    const server = await startEmbeddedPostgres({
      dataDir: join(dir, 'd'.repeat(110)),
      port,
      removeDataDirOnStop: true,
      noFsync: true,
    });
    try {
      expect(server.url).toBe(`postgres://postgres:postgres@127.0.0.1:${port}`);
      expect(await query(databaseUrl(server.url, 'postgres'), 'SELECT 1 AS one')).toEqual([
        { one: 1 },
      ]);
    } finally {
      await server.stop();
    }
  });

  /** A server on a free port whose data directory (`<dir>/pg`) goes when it stops. */
  async function temporaryServer(
    options: Pick<EmbeddedPostgresOptions, 'noFsync' | 'statementStats'> = {},
  ) {
    const dir = tempDir();
    dirs.push(dir);
    const server = await startEmbeddedPostgres({
      dataDir: join(dir, 'pg'),
      port: await freePort(),
      removeDataDirOnStop: true,
      ...options,
    });
    return { dir, server };
  }

  it('preloads pg_stat_statements when asked: statements of every database are counted', async () => {
    const { server } = await temporaryServer({ noFsync: true, statementStats: true });
    try {
      const admin = databaseUrl(server.url, 'postgres');
      await query(admin, 'CREATE EXTENSION pg_stat_statements');
      await createDatabase(server.url, 'counted');
      await query(databaseUrl(server.url, 'counted'), 'SELECT 42 AS answer');
      const rows = await query(
        admin,
        `SELECT s.calls::int AS calls FROM pg_stat_statements s
           JOIN pg_database d ON d.oid = s.dbid
          WHERE d.datname = 'counted' AND s.query LIKE 'SELECT $1 AS answer'`,
      );
      expect(rows).toEqual([{ calls: 1 }]);
    } finally {
      await server.stop();
    }
  });

  /**
   * How much a backend's data segment grew over a 100 000-row in-memory sort (kB): the memory
   * the sort freed stays with the backend, or goes back to the kernel. Reads /proc through the
   * server (Linux, superuser).
   */
  async function heapKeptAfterSort(serverUrl: string): Promise<number> {
    const client = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
    await client.connect();
    try {
      const dataSegmentKb = async () => {
        const { rows } = await client.query<{ status: string }>(
          `SELECT pg_read_file('/proc/' || pg_backend_pid() || '/status') AS status`,
        );
        return Number(/VmData:\s+(\d+) kB/.exec(rows[0]!.status)![1]);
      };
      const before = await dataSegmentKb();
      await client.query(
        'SELECT count(*) FROM (SELECT g FROM generate_series(1, 100000) AS g ORDER BY g DESC) AS s',
      );
      return (await dataSegmentKb()) - before;
    } finally {
      await client.end();
    }
  }

  it('tunes malloc so that a backend keeps its freed heap, unless the environment tunes it', async () => {
    const environment = process.env.GLIBC_TUNABLES;
    delete process.env.GLIBC_TUNABLES;
    const tuned = await temporaryServer({ noFsync: true });
    const tunedKept = await heapKeptAfterSort(tuned.server.url).finally(() => tuned.server.stop());
    // A malloc setting of the environment's own (here glibc's default, spelled out) wins.
    process.env.GLIBC_TUNABLES = 'glibc.malloc.perturb=0';
    const untuned = await temporaryServer({ noFsync: true }).finally(() => {
      if (environment === undefined) delete process.env.GLIBC_TUNABLES;
      else process.env.GLIBC_TUNABLES = environment;
    });
    const untunedKept = await heapKeptAfterSort(untuned.server.url).finally(() =>
      untuned.server.stop(),
    );
    expect(tunedKept).toBeGreaterThan(4096);
    expect(untunedKept).toBeLessThan(1024);
  });

  it('removes a temporary data directory on stop when asked', async () => {
    const { dir, server } = await temporaryServer();
    expect(existsSync(join(dir, 'pg', 'PG_VERSION'))).toBe(true);
    await server.stop();
    expect(existsSync(join(dir, 'pg'))).toBe(false);
  });

  it('stops PostgreSQL when the runner’s parent is killed with SIGKILL', async () => {
    const dir = tempDir();
    dirs.push(dir);
    // A parent that starts the runner, holds its stdin pipe and relays its ready line.
    const parentScript = `
      const { spawn } = require('node:child_process');
      const runner = spawn(process.execPath, process.argv.slice(1), { stdio: ['pipe', 'inherit', 'inherit'] });
      setInterval(() => undefined, 1000);`;
    const port = await freePort();
    const parent = spawn(
      process.execPath,
      [
        '-e',
        parentScript,
        POSTGRES_RUNNER_PATH,
        '--data-dir',
        join(dir, 'pg'),
        '--port',
        `${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const postgresPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /PostgreSQL ready on .* \(pid (\d+),/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      parent.once('exit', () => reject(new Error(`parent exited early: ${out}`)));
    });
    expect(isProcessAlive(postgresPid)).toBe(true);
    parent.kill('SIGKILL');
    await eventually(() => !isProcessAlive(postgresPid));
  });
});

describe('startDevBrokerProcess', () => {
  it('runs the development broker in its own process until stop()', async () => {
    const dir = tempDir();
    try {
      const broker = await startDevBrokerProcess({ port: 0, dataDir: join(dir, 'kafka') });
      expect(broker.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(isProcessAlive(broker.pid)).toBe(true);
      await broker.stop();
      expect(isProcessAlive(broker.pid)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
