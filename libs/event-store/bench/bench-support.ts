import { readdirSync, readFileSync } from 'node:fs';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

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
 * CPU seconds of a server process and its direct children: for PostgreSQL the postmaster
 * (with the children it has reaped, i.e. backends of closed connections) plus every live
 * backend, WAL writer, checkpointer, autovacuum. Linux only; null without /proc.
 */
export function processTreeCpuSeconds(postmasterPid: number): number | null {
  const own = statFields(postmasterPid);
  if (!own) return null;
  // utime, stime, cutime, cstime are fields 14–17 of stat (index 11–14 after the name).
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    // ppid is field 4 (index 1).
    if (fields && Number(fields[1]) === postmasterPid) {
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return ticks / 100;
}

/** CPU the whole machine has used so far (all cores), in seconds; null without /proc/stat. */
export function machineCpuSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const ticks = fields.slice(1, 9).map(Number);
    const idle = ticks[3] + ticks[4];
    return (ticks.reduce((a, b) => a + b, 0) - idle) / 100;
  } catch {
    return null;
  }
}

/** CPU during one phase as % of one core: this process, the servers, everything else. */
export interface CpuShare {
  readonly clientPct: number;
  /** The server processes measured (PostgreSQL; the broker too where there is one). */
  readonly serverPct: number | null;
  /** Other processes on the machine (other engineers' tests): high means disturbed figures. */
  readonly otherPct: number | null;
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

export function startCpuMeter(serverPids: readonly number[]): { stop(): CpuShare } {
  const wallStart = performance.now();
  const clientStart = process.cpuUsage();
  const pgStart = serversCpuSeconds(serverPids);
  const machineStart = machineCpuSeconds();
  return {
    stop: () => {
      const wall = (performance.now() - wallStart) / 1000;
      const own = process.cpuUsage(clientStart);
      const pgEnd = serversCpuSeconds(serverPids);
      const machineEnd = machineCpuSeconds();
      const clientPct = ((own.user + own.system) / 1e6 / wall) * 100;
      const serverPct =
        pgStart === null || pgEnd === null ? null : ((pgEnd - pgStart) / wall) * 100;
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
