// End-to-end test of `npm start` (tools/start/start.mjs): the whole platform on embedded
// PostgreSQL and the development broker, in a temporary data directory and on free ports, so
// it never touches a developer's running stack. It starts the script, waits for every service's
// /health/ready, sends SIGINT and checks the exit code and that no process it started survives.
import { isProcessAlive } from '@fulfil/local-infra';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVICE_CATALOG } from '@fulfil/contracts';
import { freePort } from '@fulfil/testing';

const REPO_ROOT = resolve(__dirname, '..');
const SERVICES = Object.values(SERVICE_CATALOG);

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** An offset that moves every catalog port (3001–3006) onto a free one. */
async function freeServicePortOffset(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const offset = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all(SERVICES.map((s) => portIsFree(s.defaultPort + offset)));
    if (free.every(Boolean)) return offset;
  }
  throw new Error('no free range of service ports found');
}

/** Processes whose command line mentions `text` (e.g. the temporary data directory). */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((done) => setTimeout(done, 250));
  }
  return true;
}

interface PidsFile {
  start: number;
  processes: Array<{ name: string; pid: number }>;
}

describe('npm start (tools/start/start.mjs)', () => {
  const missing = SERVICES.filter(
    (s) => !existsSync(join(REPO_ROOT, 'services', s.name, 'src/main.ts')),
  ).map((s) => s.name);
  let dataDir: string;
  let start: ChildProcess | undefined;
  let output = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let pidsFile: string;

  afterAll(() => {
    // Only when the test failed half-way: never leave the platform running.
    if (start && start.exitCode === null && start.signalCode === null) start.kill('SIGKILL');
    if (pidsFile && existsSync(pidsFile)) {
      const recorded = JSON.parse(readFileSync(pidsFile, 'utf8')) as PidsFile;
      for (const { pid } of recorded.processes)
        if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts every service, reports them ready, and stops cleanly on SIGINT', async () => {
    expect(missing).toEqual([]); // every catalog service has a services/<name>/src/main.ts
    dataDir = mkdtempSync(join(tmpdir(), 'fulfil-start-e2e-'));
    chmodSync(dataDir, 0o755); // PostgreSQL runs as user "postgres" when we are root
    pidsFile = join(dataDir, 'pids.json');
    const offset = await freeServicePortOffset();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FULFIL_DATA_DIR: dataDir,
      FULFIL_POSTGRES_PORT: String(await freePort()),
      FULFIL_KAFKA_PORT: String(await freePort()),
      FULFIL_SERVICE_PORT_OFFSET: String(offset),
      FULFIL_PIDS_FILE: pidsFile,
      FULFIL_SKIP_INSTALL: '1',
      LOG_LEVEL: 'warn',
    };
    delete env.POSTGRES_URL;
    delete env.KAFKA_BROKERS;
    delete env.FULFIL_SERVICES;
    start = spawn(process.execPath, [join(REPO_ROOT, 'tools/start/start.mjs')], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    start.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const started = start;
    exit = new Promise((done) => started.once('exit', (code, signal) => done({ code, signal })));
    const tail = () => output.split('\n').slice(-60).join('\n');

    const urls = SERVICES.map((s) => `http://127.0.0.1:${s.defaultPort + offset}`);
    const allReady = await eventually(async () => {
      if (started.exitCode !== null) throw new Error(`npm start exited early:\n${tail()}`);
      return (await Promise.all(urls.map((url) => isReady(`${url}/health/ready`)))).every(Boolean);
    }, 150_000);
    if (!allReady) throw new Error(`not every /health/ready answered 200:\n${tail()}`);
    expect(await eventually(() => output.includes('all services ready'), 10_000)).toBe(true);
    for (const url of urls) expect(output).toContain(`${url}/docs`);
    const tokens = JSON.parse(readFileSync(join(dataDir, 'local-tokens.json'), 'utf8'));
    expect(tokens).toEqual([expect.objectContaining({ caller: 'local-dev' })]);

    const recorded = JSON.parse(readFileSync(pidsFile, 'utf8')) as PidsFile;
    expect(recorded.start).toBe(started.pid);
    expect(recorded.processes.map((p) => p.name).sort()).toEqual(
      [...SERVICES.map((s) => s.name), 'kafka', 'postgres', 'postgres-runner'].sort(),
    );

    started.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      exit,
      new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), 60_000))),
    ]).finally(() => clearTimeout(timer));
    expect({ result, output: result === 'timeout' || result.code !== 0 ? tail() : '' }).toEqual({
      result: { code: 0, signal: null },
      output: '',
    });
    const survivors = recorded.processes.filter(({ pid }) => isProcessAlive(pid));
    expect(survivors).toEqual([]);
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 240_000);
});
