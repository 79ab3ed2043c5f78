/** Base of the store's typed errors; `code` is stable (`EVENT_STORE.*`). */
export class EventStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The stream is not at the expected version: another writer appended first. Reload the stream,
 * decide again and retry (the `CommandHandler` does this).
 *
 * `reason` says how it was detected:
 * - `'version-mismatch'` — the committed stream version differs from the expected one;
 * - `'head-mismatch'` — the stream is at the expected version, but its event there is not the
 *   one expected (`expectedLastEventId`): the history the caller knew was lost — a database
 *   crash took back asynchronously committed transactions, or a failover the last commits —
 *   and the stream was written up to that version again since;
 * - `'concurrent-append'` — a concurrent transaction took the same stream version first;
 * - `'transaction-order'` — the caller's transaction already had a transaction id older than
 *   the stream's last writer's (it wrote something else before appending); appending would
 *   break per-stream order in `readAll`, so retry in a new transaction.
 */
export class WrongExpectedVersionError extends EventStoreError {
  static readonly CODE = 'EVENT_STORE.WRONG_EXPECTED_VERSION';

  constructor(
    readonly streamId: string,
    readonly expectedVersion: number | 'no_stream' | 'any',
    /** The committed version when known, else `null`. */
    readonly actualVersion: number | null,
    readonly reason:
      'version-mismatch' | 'head-mismatch' | 'concurrent-append' | 'transaction-order',
    options?: { cause?: unknown },
  ) {
    super(
      WrongExpectedVersionError.CODE,
      `Stream ${streamId}: expected version ${String(expectedVersion)}, ` +
        `actual ${actualVersion === null ? 'unknown' : String(actualVersion)} (${reason})`,
      options,
    );
  }
}

/**
 * The append found the stream elsewhere than its caller knew it (`version-mismatch`,
 * `head-mismatch`): the stream moved on, or the events expected are gone from it. Not a race
 * lost, but a stale memory: decide again on the stream as stored.
 */
export function isStaleExpectation(error: unknown): error is WrongExpectedVersionError {
  return (
    error instanceof WrongExpectedVersionError &&
    (error.reason === 'version-mismatch' || error.reason === 'head-mismatch')
  );
}

/** An event id is already in the store (or twice in one batch). Nothing of the batch was written. */
export class DuplicateEventIdError extends EventStoreError {
  static readonly CODE = 'EVENT_STORE.DUPLICATE_EVENT_ID';

  constructor(
    readonly streamId: string,
    options?: { cause?: unknown },
  ) {
    super(DuplicateEventIdError.CODE, `Stream ${streamId}: duplicate event id in append`, options);
  }
}

/** Upcasting failed or the registry is inconsistent. */
export class UpcastError extends EventStoreError {
  static readonly CODE = 'EVENT_STORE.UPCAST_FAILED';

  constructor(message: string, options?: { cause?: unknown }) {
    super(UpcastError.CODE, message, options);
  }
}
