import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a child process ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A long-running child process that announced itself ready with one line on stdout. */
export interface ReadyChild {
  readonly child: ChildProcess;
  /** The regular-expression match of the ready line. */
  readonly ready: RegExpExecArray;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ChildExit>;
  /** Last lines the process wrote on stderr, for error messages. */
  stderrTail(): string;
}

export interface SpawnUntilReadyOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly readyLine: RegExp;
  /** What the process is, for error messages ("embedded PostgreSQL"). */
  readonly label: string;
  readonly timeoutMs: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each stderr line (besides keeping a tail of them). */
  readonly onStderrLine?: (line: string) => void;
  /** Called with each stdout line, the ready line included. */
  readonly onStdoutLine?: (line: string) => void;
  /**
   * Keep a pipe on the child's stdin: children written for it (the PostgreSQL runner) stop when
   * it closes, i.e. when this process exits for any reason.
   */
  readonly stdinLifeline?: boolean;
  /** Start the child in its own process group, so a terminal's Ctrl-C does not reach it. */
  readonly detached?: boolean;
}

/**
 * Spawns a process and resolves once a stdout line matches `readyLine`; rejects (and SIGKILLs
 * the child) when it exits first or does not get ready in time. stdout keeps being drained.
 */
export function spawnUntilReady(options: SpawnUntilReadyOptions): Promise<ReadyChild> {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.stdinLifeline ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  };
  const child = spawn(options.command, [...options.args], spawnOptions);
  const stderrLines: string[] = [];
  forEachLine(child.stderr, (line) => {
    stderrLines.push(line);
    if (stderrLines.length > 50) stderrLines.shift();
    options.onStderrLine?.(line);
  });
  const exited = new Promise<ChildExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const stderrTail = (): string => stderrLines.join('\n');
  return new Promise<ReadyChild>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(
        new Error(`${options.label} not ready after ${options.timeoutMs} ms:\n${stderrTail()}`),
      );
    }, options.timeoutMs);
    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${options.label} could not be started: ${error.message}`));
    });
    forEachLine(child.stdout, (line) => {
      options.onStdoutLine?.(line);
      const match = settled ? null : options.readyLine.exec(line);
      if (!match) return;
      settled = true;
      clearTimeout(timer);
      resolve({ child, ready: match, exited, stderrTail });
    });
    void exited.then(({ code, signal }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(
        new Error(
          `${options.label} exited (code ${code}, signal ${signal}) before it was ready:\n${stderrTail()}`,
        ),
      );
    });
  });
}

/**
 * Sends SIGTERM and waits for the exit; SIGKILL after `graceMs` so nothing outlives its owner.
 */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<ChildExit>,
  graceMs = 10_000,
): Promise<ChildExit> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const escalation = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(escalation);
  }
}

/** Calls `onLine` for every line of `stream` (and the unterminated tail at its end). */
function forEachLine(
  stream: NodeJS.ReadableStream | null | undefined,
  onLine: (line: string) => void,
): void {
  if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}

/** Whether a process with this pid still exists (signal 0 checks without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
