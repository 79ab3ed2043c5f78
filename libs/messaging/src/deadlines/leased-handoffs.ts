import type { Deadline } from './deadline.types';

/** A deadline this process wrote already leased to itself, until `leasedUntil`. */
export interface Handoff {
  readonly deadline: Deadline;
  readonly leasedUntil: Date;
}

/**
 * The handed-off deadlines of one running scheduler (`DeadlineScheduler.handOffWrite`): each
 * runs as soon as its transaction committed, at most `concurrency` at once, the others waiting
 * here in commit order. One whose lease is half gone before it starts is left to the polling
 * loop, which finds it due once the lease runs out: a handler should not outlive its lease.
 */
export class LeasedHandoffs {
  private readonly waiting: Handoff[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly concurrency: number,
    private readonly leaseMs: number,
    private readonly run: (handoff: Handoff) => Promise<unknown>,
  ) {}

  /** Runs `handoff` now, or after the ones before it. After `stop`, its lease will run out. */
  add(handoff: Handoff): void {
    if (this.stopped) return;
    this.waiting.push(handoff);
    this.startWaiting();
  }

  /** Starts no more; resolves with the ones that never started once the running ones end. */
  async stop(): Promise<Handoff[]> {
    this.stopped = true;
    const unstarted = this.waiting.splice(0);
    await Promise.all(this.running);
    return unstarted;
  }

  private startWaiting(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.waiting.length > 0) {
      const handoff = this.waiting.shift()!;
      if (handoff.leasedUntil.getTime() - Date.now() < this.leaseMs / 2) continue;
      // `run` reports its own failures; whatever it leaves, the deadline stays in the table.
      const finished = () => {
        this.running.delete(running);
        this.startWaiting();
      };
      const running: Promise<void> = this.run(handoff).then(finished, finished);
      this.running.add(running);
    }
  }
}
