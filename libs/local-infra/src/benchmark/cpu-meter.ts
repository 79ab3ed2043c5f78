import { existsSync, readdirSync, readFileSync } from 'node:fs';

// What benchmarks need to judge their figures on a shared machine: how much CPU the client,
// the servers and everything else used during a phase. Linux only (/proc); null elsewhere.

/** Fields of /proc/<pid>/stat after the command name; null when the process is gone. */
function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * `rootPid`'s live direct children, each with its stat fields (one scan of /proc, which reads
 * every process' stat to find the parent anyway).
 */
export function childProcesses(rootPid: number): Map<number, string[]> {
  const children = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    // ppid is field 4 (index 1).
    if (fields && Number(fields[1]) === rootPid) children.set(Number(entry), fields);
  }
  return children;
}

/**
 * CPU seconds of a server process and its direct children: for PostgreSQL the postmaster
 * (with the children it has reaped, i.e. backends of closed connections) plus every live
 * backend, WAL writer, checkpointer, autovacuum; for a process without children, itself.
 */
export function processTreeCpuSeconds(rootPid: number): number | null {
  const own = statFields(rootPid);
  if (!own) return null;
  // utime, stime, cutime, cstime are fields 14–17 of stat (index 11–14 after the name).
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const fields of childProcesses(rootPid).values()) {
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}

/**
 * The sum over every thread of `pid` of what `read` finds in that thread's /proc directory
 * (`/proc/<pid>/task/<tid>/`); null when the process is gone. A thread that ends meanwhile
 * counts nothing; `read` returns null when a thread's file lacks the figure.
 */
function sumOverThreads(
  pid: number,
  read: (taskDirectory: string) => number | null,
): number | null {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let total = 0;
  for (const task of tasks) {
    try {
      total += read(`/proc/${pid}/task/${task}`) ?? 0;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return total;
}

/** `pid` and its live direct children, each summed by `perProcess`; null when `pid` is gone. */
function sumOverTree(rootPid: number, perProcess: (pid: number) => number | null): number | null {
  const own = perProcess(rootPid);
  if (own === null) return null;
  let total = own;
  for (const child of childProcesses(rootPid).keys()) total += perProcess(child) ?? 0;
  return total;
}

/** Voluntary and involuntary context switches so far of all threads of `pid`; null when gone. */
export function processContextSwitches(pid: number): number | null {
  return sumOverThreads(pid, (task) => {
    let total = 0;
    const status = readFileSync(`${task}/status`, 'utf8');
    for (const match of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) {
      total += Number(match[1]);
    }
    return total;
  });
}

/**
 * Context switches so far of a process's threads and of its live direct children's: each a
 * wake-up (it slept on a socket, a timer, a lock) or a preemption. On a virtual machine a
 * wake-up costs far more than the work many of them do, so their count per unit of work is a
 * steadier gauge of round trips than CPU time. (Children already reaped are not counted.)
 */
export function processTreeContextSwitches(rootPid: number): number | null {
  return sumOverTree(rootPid, processContextSwitches);
}

/**
 * Seconds the threads of `pid` have spent so far waiting for a core: runnable, but not running
 * (the second figure of /proc/<pid>/task/<tid>/schedstat). Null when the process is gone, or on
 * a kernel without scheduler statistics.
 */
export function processRunQueueSeconds(pid: number): number | null {
  // Gone, or a kernel without scheduler statistics (CONFIG_SCHED_INFO).
  if (!existsSync(`/proc/${pid}/schedstat`)) return null;
  const nanoseconds = sumOverThreads(pid, (task) => {
    const waited = Number(readFileSync(`${task}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(waited) ? waited : null;
  });
  return nanoseconds === null ? null : nanoseconds / 1e9;
}

/**
 * Seconds a process's threads and its live direct children's (PostgreSQL's backends) have
 * waited for a core so far. Set against their CPU time it tells work queued for busy cores,
 * where processes wait longer than they run, from work that waits on I/O, locks or peers,
 * which does not show here.
 */
export function processTreeRunQueueSeconds(rootPid: number): number | null {
  return sumOverTree(rootPid, processRunQueueSeconds);
}

/** CPU the whole machine has used so far (all cores), in seconds; null without /proc/stat. */
export function machineCpuSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    // cpu user nice system idle iowait irq softirq steal …, in clock ticks (100 per second).
    const ticks = fields.slice(1, 9).map(Number);
    const idle = ticks[3]! + ticks[4]!;
    return (ticks.reduce((a, b) => a + b, 0) - idle) / 100;
  } catch {
    return null;
  }
}

/** CPU during one phase as % of one core: the client, the servers, everything else. */
export interface CpuShare {
  readonly clientPct: number;
  /** The server processes measured (PostgreSQL, the broker). */
  readonly serverPct: number | null;
  /** Other processes on the machine (other engineers' tests): high means disturbed figures. */
  readonly otherPct: number | null;
}

export interface CpuMeter {
  /**
   * Ends the measurement. Without arguments the client is this process; a phase whose clients
   * run elsewhere passes their CPU seconds and the wall time they were measured over.
   */
  stop(clients?: { cpuSeconds: number; wallSeconds: number }): CpuShare;
}

function serversCpuSeconds(pids: readonly number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    const seconds = processTreeCpuSeconds(pid);
    if (seconds === null) return null;
    total += seconds;
  }
  return total;
}

/** Starts measuring this process (the client), the `serverPids` trees and the machine. */
export function startCpuMeter(serverPids: readonly number[]): CpuMeter {
  const wallStart = performance.now();
  const clientStart = process.cpuUsage();
  const serverStart = serversCpuSeconds(serverPids);
  const machineStart = machineCpuSeconds();
  return {
    stop: (clients) => {
      const wall = (performance.now() - wallStart) / 1000;
      const own = process.cpuUsage(clientStart);
      const serverEnd = serversCpuSeconds(serverPids);
      const machineEnd = machineCpuSeconds();
      const clientPct = clients
        ? (clients.cpuSeconds / clients.wallSeconds) * 100
        : ((own.user + own.system) / 1e6 / wall) * 100;
      const serverPct =
        serverStart === null || serverEnd === null
          ? null
          : ((serverEnd - serverStart) / wall) * 100;
      const machinePct =
        machineStart === null || machineEnd === null
          ? null
          : ((machineEnd - machineStart) / wall) * 100;
      return {
        clientPct: Math.round(clientPct),
        serverPct: serverPct === null ? null : Math.round(serverPct),
        otherPct:
          serverPct === null || machinePct === null
            ? null
            : Math.max(0, Math.round(machinePct - serverPct - clientPct)),
      };
    },
  };
}
