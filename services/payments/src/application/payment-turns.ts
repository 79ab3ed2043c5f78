import { Injectable } from '@nestjs/common';

/**
 * Work on one payment that this process runs one at a time, in arrival order: recording the
 * provider's registration and applying the provider's webhooks. A provider may notify the
 * moment it answers the registration (the simulator with no auto-pay delay always does); run
 * side by side, both transactions append the payment's next version, one waits for the other
 * and is refused, then reads and decides again. Taking turns, the second decides on what the
 * first committed: no refusal, no wait on a row lock, no second read.
 *
 * Correctness does not rest on this (another instance of the service is not in the queue; the
 * append's expected version still refuses a stale decision). A turn is taken before the work
 * takes a database connection, so a waiting turn never holds one.
 */
@Injectable()
export class PaymentTurns {
  /** Per payment, the last work queued: settles (never rejects) when that work has. */
  private readonly lastQueued = new Map<string, Promise<void>>();

  run<T>(paymentId: string, work: () => Promise<T>): Promise<T> {
    const before = this.lastQueued.get(paymentId);
    const result = before ? before.then(work) : work();
    const settled = result.then(ignore, ignore);
    this.lastQueued.set(paymentId, settled);
    void settled.then(() => {
      if (this.lastQueued.get(paymentId) === settled) this.lastQueued.delete(paymentId);
    });
    return result;
  }

  /** Payments with work running or waiting (for tests and leak checks). */
  get size(): number {
    return this.lastQueued.size;
  }
}

function ignore(): void {}
