/**
 * Metadata stored with every event. Known keys are typed; services may add their own.
 * `eventId` and `now` come from the caller (the command), so deciders stay pure and tests
 * deterministic; the store fills in a random UUID and the database time when they are absent.
 */
export type EventMetadata = {
  /** Id of the event (UUID); one is generated when absent. Not shared between events. */
  readonly eventId?: string;
  /** When the event happened (ISO-8601 or Date); becomes `recordedAt`, else the database time. */
  readonly now?: string | Date;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actor?: string;
  /** W3C trace context. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly [key: string]: unknown;
};

/** An event to append: readonly plain data, `type` a literal string (`OrderPlaced`). */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata?: EventMetadata;
  /**
   * Schema version of `data`; defaults to the newest version the store's upcasters know for
   * `type` (1 when none are registered).
   */
  readonly schemaVersion?: number;
}

/** An event as read back: upcast to the newest schema version, with its position in the log. */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
  readonly eventId: string;
  readonly streamId: string;
  /** 1 for a stream's first event, then 2, 3, … without gaps. */
  readonly streamVersion: number;
  /** Schema version of `data` after upcasting. */
  readonly schemaVersion: number;
  /** Position in the global sequence (a decimal bigint); unique, NOT commit order. */
  readonly globalPosition: string;
  /** Id of the writing transaction (`xid8`, decimal); read-all order is (transactionId, globalPosition). */
  readonly transactionId: string;
  readonly recordedAt: Date;
}

/**
 * Where a `readAll` reader stands: the last event it has received. Persist it as is (both
 * fields are decimal strings) and pass it back as `after`. `null` means "from the beginning".
 */
export interface Checkpoint {
  readonly transactionId: string;
  readonly globalPosition: string;
}

/**
 * The version the caller believes the stream is at: a number (0 = empty stream, n = its last
 * event is version n), `'no_stream'` (same as 0), or `'any'` (no check).
 */
export type ExpectedVersion = number | 'no_stream' | 'any';
