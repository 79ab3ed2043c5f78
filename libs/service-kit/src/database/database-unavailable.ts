/**
 * Socket errors of a connection to a server that is gone or not listening (a crash, a restart,
 * a failover): `errno` codes node gives the error pg passes on.
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOENT', 'ETIMEDOUT']);

/**
 * SQLSTATEs of a server that is shutting down, crashed or still starting (class 57P), and of
 * one out of connection slots.
 */
const SERVER_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** pg's own messages for a connection it lost or could not open (they carry no code). */
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /not queryable/,
  /^timeout exceeded when trying to connect/,
];

/**
 * Whether `error` says the database could not be reached — rather than that the statement was
 * wrong — so the request may well succeed once it is back: HTTP 503, not 500. Looks through
 * TypeORM's `driverError` and `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const { code, message } = current as Error & { code?: unknown };
    if (typeof code === 'string') {
      if (SOCKET_CODES.has(code) || SERVER_STATES.has(code) || code.startsWith('08')) return true;
    }
    if (CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return true;
    const wrapped = current as { driverError?: unknown; cause?: unknown };
    current = wrapped.driverError ?? wrapped.cause;
  }
  return false;
}
