import { readFileSync } from 'node:fs';

const round = (n: number): number => Math.round(n);

/**
 * CPU (user + system) a process has used so far, in seconds, from /proc (Linux only);
 * null where /proc is missing or the process is gone.
 */
export function processCpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, counted in clock ticks (100 per second).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU the whole machine has used so far (all cores, every process), in seconds, from the
 * first line of /proc/stat; null where it is missing.
 */
export function machineCpuSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    // cpu user nice system idle iowait irq softirq steal …, in clock ticks (100 per second).
    const ticks = fields.slice(1, 9).map(Number);
    const idle = ticks[3] + ticks[4];
    return (ticks.reduce((a, b) => a + b, 0) - idle) / 100;
  } catch {
    return null;
  }
}

/** CPU use during one phase, as % of one core. */
export interface CpuShare {
  readonly clientPct: number;
  readonly brokerPct: number | null;
  /**
   * Everything else on the machine: other people's tests, the benchmark's own bookkeeping.
   * Well above a few % means the figures were disturbed.
   */
  readonly otherPct: number | null;
}

export interface CpuMeter {
  /**
   * Ends the measurement. Without arguments the client is this process; a phase whose
   * clients run elsewhere passes their CPU seconds and the wall time they were measured over.
   */
  stop(clients?: { cpuSeconds: number; wallSeconds: number }): CpuShare;
}

/**
 * Both sides share the machine's cores, so a missed target needs this to tell whether the
 * broker or the JavaScript client was the limit.
 */
export function startCpuMeter(brokerPid: number): CpuMeter {
  const wallStart = performance.now();
  const clientStart = process.cpuUsage();
  const brokerStart = processCpuSeconds(brokerPid);
  const machineStart = machineCpuSeconds();
  return {
    stop: (clients) => {
      const wallSeconds = (performance.now() - wallStart) / 1000;
      const own = process.cpuUsage(clientStart);
      const brokerEnd = processCpuSeconds(brokerPid);
      const machineEnd = machineCpuSeconds();
      const clientPct = clients
        ? (clients.cpuSeconds / clients.wallSeconds) * 100
        : ((own.user + own.system) / 1e6 / wallSeconds) * 100;
      const brokerPct =
        brokerStart === null || brokerEnd === null
          ? null
          : ((brokerEnd - brokerStart) / wallSeconds) * 100;
      const machinePct =
        machineStart === null || machineEnd === null
          ? null
          : ((machineEnd - machineStart) / wallSeconds) * 100;
      return {
        clientPct: round(clientPct),
        brokerPct: brokerPct === null ? null : round(brokerPct),
        otherPct:
          brokerPct === null || machinePct === null
            ? null
            : Math.max(0, round(machinePct - brokerPct - clientPct)),
      };
    },
  };
}
