import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

export const KCAT_PATH = '/usr/bin/kcat';

/**
 * kcat is the librdkafka-based client the broker must also serve. A missing binary is a
 * broken environment, not a reason to skip: fail loudly and say how to get it.
 */
export function assertKcatInstalled(): void {
  try {
    accessSync(KCAT_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `${KCAT_PATH} not found or not executable: .ci/run installs it (Debian package "kcat")`,
    );
  }
}

export interface KcatResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kcat to completion (for -L, -P and -C -e), feeding `input` on stdin. */
export function runKcat(
  args: readonly string[],
  input?: string,
  timeoutMs = 30_000,
): Promise<KcatResult> {
  assertKcatInstalled();
  return new Promise((resolve, reject) => {
    const child = spawn(KCAT_PATH, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`kcat ${args.join(' ')} did not finish in ${timeoutMs} ms; stderr:\n${stderr}`),
      );
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** A long-running kcat (e.g. a -G group consumer) whose output lines can be awaited. */
export interface KcatProcess {
  lines(): string[];
  stderr(): string;
  /** SIGTERM lets kcat leave its group and commit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function startKcat(args: readonly string[]): KcatProcess {
  assertKcatInstalled();
  const child: ChildProcess = spawn(KCAT_PATH, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  return {
    lines: () => stdout.split('\n').filter((line) => line.length > 0),
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const escalation = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try {
        return await closed;
      } finally {
        clearTimeout(escalation);
      }
    },
  };
}
