import { Wakeup } from './wakeup';

/** Exponential backoff, capped, with jitter (a random delay in the upper half of the cap). */
export interface BackoffOptions {
  /** First delay's upper bound, ms. Default 100. */
  readonly initialMs?: number;
  /** Largest delay, ms. Default 5000. */
  readonly maxMs?: number;
}

/** The delay before retry `attempt` (1-based): random in [cap/2, cap], cap = min(max, initial·2^(attempt-1)). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 100;
  const max = options.maxMs ?? 5000;
  const cap = Math.min(max, initial * 2 ** Math.max(0, attempt - 1));
  return cap / 2 + Math.random() * (cap / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Wakeup().sleep(ms, signal);
}

/** Where a library logs; defaults to nothing. `console` fits. */
export interface MessagingLogger {
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: MessagingLogger = { warn: () => undefined, error: () => undefined };
