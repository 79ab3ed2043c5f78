// How busy the whole machine was in each second of a phase, next to the latency of the orders
// due in that second (BENCH_LATENCY_BY_SECOND). On a shared virtual machine the same load can
// take a fifth more CPU in one minute than in the next: a tail that rises where the cores are
// full (97–99 %) is the machine's slow minute, one that rises with cores to spare is the
// platform's own doing.
import { availableParallelism } from 'node:os';
import { machineCpuSeconds } from '@fulfil/local-infra';

/** Samples the machine's CPU once a second from `start()` until `stop()`. */
export class MachineBusyBySecond {
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    const first = machineCpuSeconds();
    if (first === null) return; // no /proc: nothing to say
    this.samples.push(first);
    this.timer = setInterval(() => this.samples.push(machineCpuSeconds() ?? NaN), 1_000).unref();
  }

  /** The machine's busy share of every whole second since `start()`, in % of all its cores. */
  stop(): number[] {
    clearInterval(this.timer);
    const cores = availableParallelism();
    return this.samples
      .slice(1)
      .map((seconds, i) => Math.round(((seconds - this.samples[i]!) / cores) * 100));
  }
}

/** One line: `machine busy by second, % of 2 cores: 0s 84 · 1s 97 · …`. */
export function describeMachineBusy(busy: readonly number[]): string {
  const seconds = busy.map((pct, second) => `${second}s ${Number.isNaN(pct) ? '?' : pct}`);
  return `machine busy by second, % of ${availableParallelism()} cores: ${seconds.join(' · ')}`;
}
