/**
 * Starts a one-shot timer that does not keep the process alive: group timers only matter while
 * the broker serves clients, and a finished test or CLI run must be able to exit without
 * closing the coordinator first.
 */
export function startUnrefTimer(delayMs: number, callback: () => void): NodeJS.Timeout {
  const timer = setTimeout(callback, Math.max(0, delayMs));
  timer.unref();
  return timer;
}
