import { startUnrefTimer } from './unref-timer';

/**
 * The one deadline of a PreparingRebalance phase: either the initial delay of a group that was
 * Empty, or the rebalance timeout after which members that did not rejoin are dropped.
 *
 * The initial delay follows Kafka's `InitialDelayedJoin`: when it elapses and new members arrived
 * meanwhile, it waits another delay (never beyond the rebalance timeout), so consumers started
 * together land in one generation instead of triggering one rebalance each.
 */
export class RebalanceTimer {
  private timer: NodeJS.Timeout | null = null;
  private initialPhase = false;
  private newMemberSeen = false;

  /** True while an Empty group's first rebalance is in its initial delay; joins never end it early. */
  get inInitialDelay(): boolean {
    return this.initialPhase;
  }

  /**
   * Starts the initial delay of a group that was Empty.
   * @param delayMs the configured initial rebalance delay
   * @param rebalanceTimeoutMs upper bound on the whole wait, extensions included
   */
  startInitialDelay(delayMs: number, rebalanceTimeoutMs: number, onElapsed: () => void): void {
    this.cancel();
    this.initialPhase = true;
    this.newMemberSeen = false;
    const first = Math.min(delayMs, rebalanceTimeoutMs);
    this.scheduleInitial(delayMs, first, rebalanceTimeoutMs - first, onElapsed);
  }

  /** Starts the rebalance timeout of a group that had members. */
  startRebalanceTimeout(timeoutMs: number, onElapsed: () => void): void {
    this.cancel();
    this.timer = startUnrefTimer(timeoutMs, () => {
      this.timer = null;
      onElapsed();
    });
  }

  /** Records that a brand-new member joined, which extends a running initial delay. */
  noteNewMember(): void {
    if (this.initialPhase) this.newMemberSeen = true;
  }

  /** Stops whatever deadline is running. */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.initialPhase = false;
    this.newMemberSeen = false;
  }

  private scheduleInitial(
    configuredMs: number,
    delayMs: number,
    remainingMs: number,
    onElapsed: () => void,
  ): void {
    this.timer = startUnrefTimer(delayMs, () => {
      this.timer = null;
      // A zero delay never extends: remainingMs would not shrink and joins could stall forever.
      if (this.newMemberSeen && remainingMs > 0 && configuredMs > 0) {
        this.newMemberSeen = false;
        const next = Math.min(configuredMs, remainingMs);
        this.scheduleInitial(configuredMs, next, remainingMs - next, onElapsed);
        return;
      }
      this.initialPhase = false;
      this.newMemberSeen = false;
      onElapsed();
    });
  }
}
