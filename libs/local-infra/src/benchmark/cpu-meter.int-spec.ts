import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import {
  processRunQueueSeconds,
  processTreeCpuSeconds,
  processTreeRunQueueSeconds,
} from './cpu-meter';

/** The first core this process may run on (a container's cpuset need not include core 0). */
function firstAllowedCore(): string {
  const allowed = /^Cpus_allowed_list:\s*(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return allowed?.[1] ?? '0';
}

/** A process that keeps one core busy for `seconds`, pinned to `core` (`taskset`). */
function busyOn(core: string, seconds: number): ChildProcess {
  const spin = `const end = Date.now() + ${seconds * 1000}; while (Date.now() < end);`;
  return spawn('taskset', ['-c', core, process.execPath, '-e', spin], { stdio: 'ignore' });
}

describe('processRunQueueSeconds', () => {
  it('counts the time a process was runnable but had no core, and nothing once it is gone', async () => {
    // Three processes that never sleep share one core: each runs about a third of the time and
    // waits for the core the other two thirds, so it waits longer than it runs.
    const core = firstAllowedCore();
    const spinners = [busyOn(core, 2), busyOn(core, 2), busyOn(core, 2)];
    const exits = spinners.map((child) => once(child, 'exit'));
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const pids = spinners.map((child) => child.pid!);
    const waited = pids.map((pid) => processRunQueueSeconds(pid)!);
    const ran = pids.map((pid) => processTreeCpuSeconds(pid)!);
    const tree = processTreeRunQueueSeconds(process.pid)!;
    for (const [index, seconds] of waited.entries()) {
      expect(seconds).toBeGreaterThan(ran[index]! * 1.3);
    }
    // This process's tree counts its children's waits.
    expect(tree).toBeGreaterThanOrEqual(waited.reduce((sum, seconds) => sum + seconds, 0));

    await Promise.all(exits);
    expect(processRunQueueSeconds(pids[0]!)).toBeNull();
  });
});
