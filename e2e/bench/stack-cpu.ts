// CPU per order, by process: the figure that sets the ceiling on a shared 2-core machine
// (2000 ms of CPU a second over all processes: 100 orders/s leaves 20 ms per order). Steadier
// than the ceiling itself, which moves with every scheduling hiccup near saturation.
import { readFileSync } from 'node:fs';
import {
  machineCpuSeconds,
  processContextSwitches,
  processRunQueueSeconds,
  processTreeContextSwitches,
  processTreeCpuSeconds,
  processTreeRunQueueSeconds,
  round,
} from '@fulfil/local-infra';

/** The processes `npm start` wrote to its pids file, by the names it gave them. */
interface PidsFile {
  readonly processes: readonly { readonly name: string; readonly pid: number }[];
}

/** How the bench names what it measures: PostgreSQL counts its backends too. */
const LABELS: Readonly<Record<string, string>> = { postgres: 'PostgreSQL', kafka: 'broker' };
/** Started once, idle afterwards: not worth a column. */
const IGNORED = new Set(['postgres-runner']);
const LOAD_GENERATOR = 'load generator';
/** The simulated payment provider, when the bench runs it as a process of its own. */
export const PAYMENT_SIMULATOR = 'payment simulator';
/** What stands in for the platform's users and providers: not the platform's CPU. */
const HARNESS = new Set([LOAD_GENERATOR, PAYMENT_SIMULATOR]);

interface Sample {
  /** CPU seconds so far by label: the stack's processes and the load generator. */
  readonly processes: ReadonlyMap<string, number>;
  /** Context switches so far, by the same labels. */
  readonly switches: ReadonlyMap<string, number>;
  /** Seconds spent waiting for a core so far, by the same labels (NaN without schedstat). */
  readonly waits: ReadonlyMap<string, number>;
  /** CPU seconds the whole machine has used so far (NaN without /proc). */
  readonly machine: number;
}

/** CPU seconds so far of each stack process, of this process (the load generator) and the machine. */
export class StackCpu {
  private constructor(private readonly pids: ReadonlyMap<string, number>) {}

  /** Reads the pids file `npm start` wrote (`FULFIL_PIDS_FILE`); `others` adds processes by label. */
  static fromPidsFile(path: string, others: Readonly<Record<string, number>> = {}): StackCpu {
    const { processes } = JSON.parse(readFileSync(path, 'utf8')) as PidsFile;
    const pids = new Map<string, number>();
    for (const { name, pid } of processes) {
      if (!IGNORED.has(name)) pids.set(LABELS[name] ?? name, pid);
    }
    for (const [label, pid] of Object.entries(others)) pids.set(label, pid);
    return new StackCpu(pids);
  }

  sample(): Sample {
    const processes = new Map<string, number>();
    const switches = new Map<string, number>();
    const waits = new Map<string, number>();
    for (const [label, pid] of this.pids) {
      processes.set(label, processTreeCpuSeconds(pid) ?? NaN);
      switches.set(label, processTreeContextSwitches(pid) ?? NaN);
      waits.set(label, processTreeRunQueueSeconds(pid) ?? NaN);
    }
    const own = process.cpuUsage();
    processes.set(LOAD_GENERATOR, (own.user + own.system) / 1e6);
    // Its own threads only: its children (npm start, the simulator) are counted apart.
    switches.set(LOAD_GENERATOR, processContextSwitches(process.pid) ?? NaN);
    waits.set(LOAD_GENERATOR, processRunQueueSeconds(process.pid) ?? NaN);
    return { processes, switches, waits, machine: machineCpuSeconds() ?? NaN };
  }

  /**
   * Milliseconds of CPU per unit (an order placed, a second idled) between two samples, per
   * process and in total (the stack's processes and the load generator), and what the rest of
   * the machine used meanwhile (`other`: high means the figures were disturbed).
   */
  static perUnit(before: Sample, after: Sample, units: number): CpuPerUnit {
    const cpu = perUnitByLabel(before.processes, after.processes, 1000 / Math.max(1, units));
    const machine = ((after.machine - before.machine) * 1000) / Math.max(1, units);
    const harness = cpu.byProcess
      .filter(([label]) => HARNESS.has(label))
      .reduce((sum, [, value]) => sum + value, 0);
    return {
      ...cpu,
      platform: round(cpu.total - harness),
      other: round(Math.max(0, machine - cpu.total)),
      contextSwitches: perUnitByLabel(before.switches, after.switches, 1 / Math.max(1, units)),
      runQueueWaits: perUnitByLabel(before.waits, after.waits, 1000 / Math.max(1, units)),
    };
  }
}

/** `scale` × the growth of each label's counter and of their sum, largest first. */
function perUnitByLabel(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  scale: number,
): ByProcess {
  const byProcess: [string, number][] = [];
  let total = 0;
  for (const [label, end] of after) {
    const value = (end - (before.get(label) ?? NaN)) * scale;
    byProcess.push([label, round(value)]);
    total += value;
  }
  return { byProcess: byProcess.sort((a, b) => b[1] - a[1]), total: round(total) };
}

interface ByProcess {
  /** Largest first; NaN for a process that was gone. */
  readonly byProcess: readonly (readonly [string, number])[];
  readonly total: number;
}

/** Milliseconds of CPU per unit by process, and context switches per unit by process. */
export interface CpuPerUnit extends ByProcess {
  /** The total without the test harness (load generator, payment simulator), in ms per unit. */
  readonly platform: number;
  /** What the rest of the machine used meanwhile, in ms per unit. */
  readonly other: number;
  readonly contextSwitches: ByProcess;
  /** Milliseconds per unit each process spent waiting for a core (runnable, not running). */
  readonly runQueueWaits: ByProcess;
}

/** The split by process, largest first: `orders 9.5, payments 9.2, …`. */
export function describeProcesses(figures: ByProcess): string {
  return figures.byProcess.map(([label, value]) => `${label} ${value}`).join(', ');
}

/** One line: `CPU per order 39.5 ms: orders 9.5, payments 9.2, … (rest of the machine 0.3)`. */
export function describeCpu(cpu: CpuPerUnit): string {
  return (
    `CPU per order ${cpu.total} ms: ${describeProcesses(cpu)} (rest of the machine ${cpu.other}); ` +
    `the platform without the load generator and simulator ${cpu.platform}`
  );
}

/**
 * One line: `waiting for a core per order 31.2 ms: PostgreSQL 14.5, orders 6.1, …`, or null where
 * the kernel keeps no scheduler statistics (or a process was gone). Time each process was
 * runnable but had no core — on a virtual machine also the time an idle core took to wake for
 * it. Read it against the CPU per order of the same rate: it grows much faster than the CPU as
 * the cores fill up, and what waits for a core is not waiting on I/O, a lock or a peer.
 */
export function describeRunQueueWaits(cpu: CpuPerUnit): string | null {
  const waits = cpu.runQueueWaits;
  if (Number.isNaN(waits.total)) return null;
  return `waiting for a core per order ${waits.total} ms: ${describeProcesses(waits)}`;
}

/** One line: `context switches per order 310: PostgreSQL 120, orders 70, …`. */
export function describeContextSwitches(cpu: CpuPerUnit): string {
  const switches = cpu.contextSwitches;
  return `context switches per order ${Math.round(switches.total)}: ${describeProcesses(switches)}`;
}
