import { startUnrefTimer } from './unref-timer';

/**
 * Kafka 3.x's pending-sync expiry: members of a new generation that never send SyncGroup within
 * the rebalance timeout (e.g. a leader that heartbeats but never assigns) get reported, so the
 * group can drop them instead of sitting in CompletingRebalance forever.
 */
export class PendingSyncTracker {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  /** Starts waiting for a SyncGroup from each of `memberIds`. */
  start(
    memberIds: Iterable<string>,
    timeoutMs: number,
    onExpired: (laggards: string[]) => void,
  ): void {
    this.stop();
    for (const memberId of memberIds) this.pending.add(memberId);
    this.timer = startUnrefTimer(timeoutMs, () => {
      this.timer = null;
      const laggards = [...this.pending];
      this.pending.clear();
      if (laggards.length > 0) onExpired(laggards);
    });
  }

  /** The member sent SyncGroup (or left): it is no longer awaited. */
  settle(memberId: string): void {
    this.pending.delete(memberId);
  }

  /** Stops waiting, e.g. because a new rebalance started. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
