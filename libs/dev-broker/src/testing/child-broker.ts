import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root; tsx must be resolvable from the child's working directory. */
export const REPO_ROOT = resolve(__dirname, '../../../..');
export const CLI_PATH = resolve(REPO_ROOT, 'libs/dev-broker/src/cli.ts');

const READY_LINE = /^Kafka development broker ready on (\S+):(\d+)/;

export interface ChildBrokerOptions {
  /** 0 lets the broker choose; restarts after SIGKILL need the explicit port again. */
  readonly port: number;
  readonly dataDir: string;
  readonly extraArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
}

/** A broker in its own process, so a test can SIGKILL it like a crashed machine. */
export interface ChildBroker {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  readonly address: string;
  /** Everything the broker wrote to stderr, for failure messages. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown hooks run, whatever was not written stays unwritten. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit (SIGKILL after 10 s so nothing outlives the test). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnBroker(options: ChildBrokerOptions): Promise<ChildBroker> {
  const args = [
    '--import',
    'tsx',
    CLI_PATH,
    '--port',
    String(options.port),
    '--data-dir',
    options.dataDir,
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return new Promise<ChildBroker>((resolveReady, rejectReady) => {
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectReady(new Error(`broker not ready after ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    let stdout = '';
    const onData = (chunk: string): void => {
      stdout += chunk;
      const match = stdout
        .split('\n')
        .map((line) => READY_LINE.exec(line))
        .find((m) => m !== null);
      if (!match) return;
      clearTimeout(timer);
      // Keep draining stdout so a chatty broker never blocks on a full pipe.
      child.stdout?.off('data', onData).resume();
      const host = match[1];
      const port = Number(match[2]);
      resolveReady(childBroker(child, host, port, exited, () => stderr));
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rejectReady(
        new Error(
          `broker exited (code ${code}, signal ${signal}) before ready; stderr:\n${stderr}`,
        ),
      );
    });
  });
}

function childBroker(
  child: ChildProcess,
  host: string,
  port: number,
  exited: ChildBroker['exited'],
  stderr: () => string,
): ChildBroker {
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid ?? -1,
    host,
    port,
    address: `${host}:${port}`,
    stderr,
    exited,
    kill: async () => {
      if (isRunning()) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (isRunning()) child.kill('SIGTERM');
      // A broker that hangs on shutdown must not outlive the test run.
      const escalation = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try {
        return await exited;
      } finally {
        clearTimeout(escalation);
      }
    },
  };
}
