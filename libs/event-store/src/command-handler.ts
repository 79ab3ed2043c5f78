import type { PoolClient } from 'pg';
import { appendedStream, rememberAppended, type KnownStream } from './appended-streams';
import type { EventStore } from './event-store';
import { isStaleExpectation, WrongExpectedVersionError } from './event-store.errors';
import type { EventMetadata, RecordedEvent } from './event.types';
import { runWrites, type Write } from './writes';

/**
 * The decider shape the handler needs — structurally the `Decider` of `@fulfil/decider`, so
 * any decider from there fits (stated here so this library has no dependency for a type).
 */
export interface HandlerDecider<Command, Event, State> {
  readonly initialState: () => State;
  readonly decide: (command: Command, state: State) => readonly Event[];
  readonly evolve: (state: State, event: Event) => State;
}

/** Events a decider emits: readonly plain data, as stored. */
export interface DecidedEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: EventMetadata;
}

/** Snapshotting for a stream type: the state must survive `JSON.stringify`/`parse`. */
export interface SnapshotPolicy {
  /** Version of the state's shape; snapshots of another version are ignored. */
  readonly schemaVersion: number;
  /** Take a snapshot whenever an append crosses a multiple of `every` stream versions. */
  readonly every: number;
}

export interface HandleOptions<Command, Event, State> {
  readonly decider: HandlerDecider<Command, Event, State>;
  /**
   * Metadata of the command (correlation id, causation id, actor, trace context, `now`),
   * copied onto every emitted event; an event's own metadata wins. Do not put an `eventId`
   * here — the store gives each event its own.
   */
  readonly metadata?: EventMetadata;
  readonly snapshot?: SnapshotPolicy;
  /**
   * The stream as the caller already knows it — `{ state: decider.initialState(), version: 0 }`
   * for a stream it is creating under a fresh id, or a state it loaded itself a moment ago: the
   * first attempt decides on it instead of reading the stream. A stale one costs a retry, not a
   * wrong answer: the append expects `version`, so a conflict reloads and decides again; and a
   * command that changes nothing on it is decided again on the stream as stored, because only
   * an append checks the version (so is a command the decider refuses on it).
   */
  readonly known?: KnownStream<State>;
  /**
   * A statement for the append's transaction, ahead of the append: a guard that fails the
   * transaction (e.g. a lock only one transaction may hold). Sent together with the append where
   * the client can (`runWrites`), so its failure is the append's.
   */
  readonly beforeAppend?: Write;
  /** Runs in the append's transaction after a successful append (e.g. to write the outbox). */
  readonly afterAppend?: (
    client: PoolClient,
    events: readonly RecordedEvent[],
    how: AfterAppend,
  ) => Promise<void>;
  /**
   * Run inside this open transaction (e.g. an inbox consumer's) instead of a new one: the
   * events commit with the caller's other writes. No savepoint is taken: a concurrency
   * conflict of the append (`version-mismatch`, `concurrent-append`) writes nothing and
   * leaves the transaction usable, so `handle` retries it (reload, decide, append) in the
   * same transaction — except a `transaction-order` conflict (a younger transaction wrote the
   * stream's head), which only the caller can resolve by retrying its whole transaction.
   *
   * The caller must roll back its transaction on any error `handle` throws other than a
   * `WrongExpectedVersionError` with reason `version-mismatch` or `concurrent-append` (which
   * reach it only after `maxAttempts`; the transaction is still clean then). Notably: a
   * `DuplicateEventIdError` or another database error has aborted the transaction, and a
   * failure of the snapshot or of `afterAppend` comes after the events were appended in it —
   * committing anyway would keep the events without the rest. Domain errors from `decide`
   * come before any write.
   *
   * Inside a transaction `withTransaction` runs, the handler remembers what it appended to the
   * stream until that transaction ends: exactly the stream then, since any other writer waits
   * on our rows and is refused once we commit. A further command on the stream in the same
   * transaction (events of one inbox batch) is decided on it without a read, and a no-op or a
   * refusal on it is final. An append through `EventStore.appendToStream` in between makes it
   * read again. Not supported: rolling back to a savepoint that undoes a handled command, then
   * handling another on that stream in the same transaction.
   */
  readonly client?: PoolClient;
}

/** What `afterAppend` may do with the transaction it runs in. */
export interface AfterAppend {
  /**
   * The handler runs the transaction itself (no `client` was given) and nothing follows the
   * hook in it: the hook may end it, sending its last statement with COMMIT (`commitWith`, or
   * `runWrites(…, { commit: true })`), one round trip less. False in a caller's transaction.
   */
  readonly mayCommit: boolean;
}

export interface HandleResult<Event, State> {
  /** The events the command emitted, as decided (empty when the command was a no-op). */
  readonly events: readonly Event[];
  /** Their global positions, in order. */
  readonly globalPositions: readonly string[];
  /** The events as stored (ids, versions, positions); empty when the command was a no-op. */
  readonly recorded: readonly RecordedEvent[];
  /** The stream version after the append. */
  readonly nextExpectedVersion: number;
  readonly state: State;
  /** How many attempts it took (1 without conflict). */
  readonly attempts: number;
}

export interface CommandHandlerOptions {
  /** Attempts before a `WrongExpectedVersionError` reaches the caller (default 5). */
  readonly maxAttempts?: number;
  /** Upper bound of the random delay before a retry, times the attempt number (default 20 ms). */
  readonly retryJitterMs?: number;
}

/**
 * Runs a command against an event-sourced stream: loads the stream (from its snapshot when
 * one fits), decides, appends with the loaded version as the expected one, and on a
 * `WrongExpectedVersionError` reloads and decides again — up to `maxAttempts`, with a small
 * random delay so racing handlers spread out. Domain errors from `decide` are not retried.
 */
export class CommandHandler {
  private readonly maxAttempts: number;
  private readonly retryJitterMs: number;

  constructor(
    private readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryJitterMs = options.retryJitterMs ?? 20;
  }

  async handle<Command, Event extends DecidedEvent, State>(
    streamId: string,
    command: Command,
    options: HandleOptions<Command, Event, State>,
  ): Promise<HandleResult<Event, State>> {
    const appended =
      options.client && appendedStream<State>(options.client, streamId, options.decider);
    // Exactly the stream (see `HandleOptions.client`): nothing to do on it is nothing to do.
    if (appended && options.decider.decide(command, appended.state).length === 0) {
      return { ...noChange(appended), attempts: 1 };
    }
    const committed = this.store.committedStreams;
    const remembered = appended ? undefined : committed.get<State>(streamId, options.decider);
    // Only the first attempt trusts what is known; a retry reads what conflicted.
    let knownFirst = appended ?? options.known ?? remembered;
    for (let attempt = 1; ; attempt += 1) {
      const progress = { appended: false };
      const known = attempt === 1 ? knownFirst : undefined;
      try {
        const result = await this.attempt(streamId, command, options, progress, known);
        return { ...result, attempts: attempt };
      } catch (error) {
        // The process's memory of the stream (also when the caller's `known` came from it, by
        // `current`) was behind — another writer moved the stream on — or named events the
        // database lost. Not a race lost, so no attempt spent and no delay: the same attempt
        // again, reading the stream.
        if (known && known === remembered && isStaleExpectation(error) && !progress.appended) {
          committed.forget(undefined, streamId);
          knownFirst = undefined;
          attempt -= 1;
          continue;
        }
        if (!(error instanceof WrongExpectedVersionError) || attempt >= this.maxAttempts) {
          throw error;
        }
        if (options.client) {
          // The caller's transaction keeps its (older) transaction id on every retry, so a
          // transaction-order conflict would recur: only a new transaction can succeed.
          if (error.reason === 'transaction-order') throw error;
          // Without a savepoint, events appended by this attempt stay in the transaction: a
          // conflict raised after the append (by `afterAppend`) is not ours to retry.
          if (progress.appended) throw error;
        }
        await sleep(Math.random() * this.retryJitterMs * attempt);
      }
    }
  }

  /**
   * The stream as this process knows it — what the open transaction on `client` appended, else
   * what was last seen committed of it — or else loaded now. For a check before a command
   * that is then handled with it as `known`, whose append refuses it if it was stale; it may be
   * behind the stored stream (another process wrote it), so decide nothing on it that no
   * append checks. A stream remembered as empty is loaded again: it may exist by now.
   */
  async current<Command, Event, State>(
    streamId: string,
    decider: HandlerDecider<Command, Event, State>,
    snapshot?: SnapshotPolicy,
    client?: PoolClient,
  ): Promise<KnownStream<State>> {
    const known =
      (client && appendedStream<State>(client, streamId, decider)) ??
      this.store.committedStreams.get<State>(streamId, decider);
    if (known && known.version > 0) return known;
    return this.load(streamId, decider, snapshot, client);
  }

  /** The state of a stream and its version, from its snapshot (if it fits) and the events after. */
  async load<Command, Event, State>(
    streamId: string,
    decider: HandlerDecider<Command, Event, State>,
    snapshot?: SnapshotPolicy,
    client?: PoolClient,
  ): Promise<KnownStream<State>> {
    let state = decider.initialState();
    let version = 0;
    // Unknown when a snapshot has no events after it: such a load is not remembered.
    let lastEventId: string | undefined;
    if (snapshot) {
      const stored = await this.store.loadLatestSnapshot<State>(streamId, { client });
      if (stored && stored.schemaVersion === snapshot.schemaVersion) {
        state = stored.state;
        version = stored.version;
      }
    }
    for (const event of await this.store.readStream(streamId, {
      fromVersion: version + 1,
      client,
    })) {
      state = decider.evolve(state, toDomainEvent<Event>(event));
      version = event.streamVersion;
      lastEventId = event.eventId;
    }
    const loaded = { state, version, lastEventId };
    this.store.committedStreams.remember(client, streamId, decider, loaded);
    return loaded;
  }

  private async attempt<Command, Event extends DecidedEvent, State>(
    streamId: string,
    command: Command,
    options: HandleOptions<Command, Event, State>,
    progress: { appended: boolean },
    known?: KnownStream<State>,
  ): Promise<Omit<HandleResult<Event, State>, 'attempts'>> {
    const { decider, snapshot } = options;
    let loaded = known;
    let decided = known && decidedOnKnown(decider, command, known.state);
    if (!loaded || !decided?.length) {
      // Nothing to append (or a refusal) on `known` would be checked by no append: decide on
      // the stream as stored.
      loaded = await this.load(streamId, decider, snapshot, options.client);
      decided = decider.decide(command, loaded.state);
    }
    const events = decided.map((event) => ({
      ...event,
      metadata: { ...options.metadata, ...event.metadata },
    }));
    const state = decided.reduce((s, e) => decider.evolve(s, e), loaded.state);
    if (events.length === 0) return noChange({ state, version: loaded.version });
    const append = async (client: PoolClient) => {
      if (options.beforeAppend) await runWrites(client, [options.beforeAppend]);
      const appended = await this.store.appendToStream(streamId, events, {
        expectedVersion: loaded.version,
        expectedLastEventId: loaded.lastEventId,
        client,
      });
      progress.appended = true;
      const version = appended.nextExpectedVersion;
      const now = { state, version, lastEventId: appended.recorded.at(-1)?.eventId };
      rememberAppended(client, streamId, decider, now);
      this.store.committedStreams.remember(client, streamId, decider, now);
      if (
        snapshot &&
        Math.floor(version / snapshot.every) > Math.floor(loaded.version / snapshot.every)
      ) {
        await this.store.saveSnapshot(
          streamId,
          { version, state, schemaVersion: snapshot.schemaVersion },
          { client },
        );
      }
      if (options.afterAppend) {
        await options.afterAppend(client, appended.recorded, { mayCommit: !options.client });
      }
      return {
        events,
        recorded: appended.recorded,
        globalPositions: appended.globalPositions,
        nextExpectedVersion: version,
        state,
      };
    };
    // In the caller's transaction, no savepoint: a conflicting append writes nothing and
    // leaves the transaction usable (see `EventStore.appendToStream`).
    return options.client ? append(options.client) : this.store.withTransaction(append);
  }
}

/** The result of a command that changed nothing on `stream`. */
function noChange<Event, State>(
  stream: KnownStream<State>,
): Omit<HandleResult<Event, State>, 'attempts'> {
  return {
    events: [],
    recorded: [],
    globalPositions: [],
    nextExpectedVersion: stream.version,
    state: stream.state,
  };
}

/** The events decided on a state the caller knew, or undefined when the decider refused. */
function decidedOnKnown<Command, Event, State>(
  decider: HandlerDecider<Command, Event, State>,
  command: Command,
  state: State,
): readonly Event[] | undefined {
  try {
    return decider.decide(command, state);
  } catch {
    return undefined;
  }
}

function toDomainEvent<Event>(event: RecordedEvent): Event {
  return { type: event.type, data: event.data, metadata: event.metadata } as Event;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
