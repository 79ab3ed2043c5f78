/**
 * A poller's sleep that others can cut short: `wake()` ends the sleep in progress, or the next
 * one when nobody sleeps (a wake is never lost between two sleeps). One sleeper at a time: the
 * loop of one poller.
 */
export class Wakeup {
  private pending = false;
  private sleeper: (() => void) | undefined;

  wake(): void {
    if (this.sleeper) this.sleeper();
    else this.pending = true;
  }

  /**
   * Resolves after `ms`, or at a `wake()` but no sooner than `minMs` after it began (a poller
   * woken by every write of a busy process still polls at most once per `minMs`); at once
   * when `signal` aborts.
   */
  sleep(ms: number, signal?: AbortSignal, minMs = 0): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    const started = Date.now();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.sleeper = undefined;
        resolve();
      };
      const woken = () => {
        this.sleeper = undefined;
        clearTimeout(timer);
        timer = setTimeout(done, Math.max(0, started + minMs - Date.now()));
      };
      timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.sleeper = woken;
      if (this.pending) {
        this.pending = false;
        woken();
      }
    });
  }
}
