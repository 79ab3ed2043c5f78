import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/** How long an entry like one already logged is held back (counted, not written). */
export const REPEAT_WINDOW_MS = 10_000;
/** Kinds of entries remembered at most; past it, those outside their window are forgotten. */
const MAX_KINDS = 1_000;

interface Kind {
  loggedAt: number;
  suppressed: number;
}

/**
 * Routes kafkajs's own logging to pino (`component: 'kafkajs'`). kafkajs is chatty: while a
 * broker is away every reconnection attempt of every connection logs an error — about 50
 * lines a second per service, found by the broker crash e2e. So each kind of entry (level,
 * namespace and message) is written at most once per `REPEAT_WINDOW_MS`; the next one written
 * after the window says how many like it were held back (`suppressed`). The levels stay
 * kafkajs's: a broker that stays away is an error worth alerting on.
 */
export function kafkajsPinoLogCreator(logger: Logger, now: () => number = Date.now): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  const kinds = new Map<string, Kind>();
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...fields } = log;
      const key = `${level}\u0000${namespace}\u0000${message}`;
      const at = now();
      const kind = kinds.get(key);
      if (kind && at - kind.loggedAt < REPEAT_WINDOW_MS) {
        kind.suppressed += 1;
        return;
      }
      const suppressed = kind?.suppressed ?? 0;
      if (!kind && kinds.size >= MAX_KINDS) forgetExpired(kinds, at);
      kinds.set(key, { loggedAt: at, suppressed: 0 });
      const entry = suppressed > 0 ? { ...fields, suppressed } : fields;
      if (level === logLevel.ERROR || level === logLevel.NOTHING) child.error(entry, message);
      else if (level === logLevel.WARN) child.warn(entry, message);
      else if (level === logLevel.INFO) child.info(entry, message);
      else child.debug(entry, message);
    };
}

function forgetExpired(kinds: Map<string, Kind>, at: number): void {
  for (const [key, kind] of kinds) {
    if (at - kind.loggedAt >= REPEAT_WINDOW_MS) kinds.delete(key);
  }
}
