import { resolve } from 'node:path';
import { spawnUntilReady } from '@fulfil/local-infra';

const REPO_ROOT = resolve(__dirname, '../../..');

/** A fixture script running in a process of its own, ready. */
export interface FixtureProcess {
  /** The match of its ready line. */
  readonly ready: RegExpExecArray;
  /** SIGKILLs it — it dies as a crashed process does, closing nothing itself — and waits. */
  kill(): Promise<void>;
}

/**
 * Runs a TypeScript fixture (`node --import tsx <file> <args>`, from the repository root) and
 * waits for a stdout line matching `readyLine`: for tests that kill a process to leave
 * something behind — a consumer-group member, a claimed key.
 */
export async function startFixtureProcess(
  file: string,
  args: readonly string[],
  readyLine: RegExp,
  timeoutMs = 30_000,
): Promise<FixtureProcess> {
  const { child, ready, exited } = await spawnUntilReady({
    command: process.execPath,
    args: ['--import', 'tsx', file, ...args],
    cwd: REPO_ROOT,
    readyLine,
    label: file,
    timeoutMs,
  });
  return {
    ready,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
