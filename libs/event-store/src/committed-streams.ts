import type { KnownStream } from './appended-streams';
import { afterCommit } from './transaction';

/** A committed stream state and the decider that folded it (another decider's state differs). */
interface Entry {
  readonly decider: object;
  readonly stream: KnownStream<unknown>;
}

/** How many streams an event store keeps by default (least recently used go first). */
export const DEFAULT_COMMITTED_STREAMS = 10_000;

/**
 * The streams as this process last saw them committed: what `CommandHandler` loaded or
 * appended, so the next command on a stream (the next event of an order, a minute later, in
 * another transaction) is decided without reading it. Only a hint, never the truth:
 *
 * - another process, or an append that bypassed the handler, may have moved the stream on. A
 *   command decided on a stale entry is caught by its append, which expects the entry's
 *   version, and is decided again on the stored stream; a no-op or a refusal, which no append
 *   checks, is decided again on the stored stream anyway (`HandleOptions.known`);
 * - a committed transaction may be lost all the same (committed asynchronously before a
 *   PostgreSQL crash, or not yet replicated before a failover), and the stream written up to
 *   the same version again. So an entry names its last event (`lastEventId`), which the
 *   append expects too, and a stream whose last event is unknown (loaded from a snapshot
 *   alone) is not kept;
 * - an entry is added only once its transaction has committed (`afterCommit`), so it never
 *   holds what a rollback undid. Outside a `withTransaction` transaction it is added only for a
 *   read through the pool, which sees committed rows alone.
 */
export class CommittedStreams {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number) {}

  get<State>(streamId: string, decider: object): KnownStream<State> | undefined {
    const entry = this.entries.get(streamId);
    if (!entry || entry.decider !== decider) return undefined;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    return entry.stream as KnownStream<State>;
  }

  /**
   * Keeps `stream` once the transaction on `client` commits, or at once without a `client`
   * (read through the pool: committed rows only). Never replaces a later version.
   */
  remember(
    client: object | undefined,
    streamId: string,
    decider: object,
    stream: KnownStream<unknown>,
  ): void {
    if (this.capacity <= 0) return;
    if (stream.version > 0 && stream.lastEventId === undefined) return;
    const keep = () => this.set(streamId, { decider, stream });
    if (client) afterCommit(client, keep);
    else keep();
  }

  /** Drops the stream now and again once the transaction on `client` commits. */
  forget(client: object | undefined, streamId: string): void {
    this.entries.delete(streamId);
    // A read of the same transaction registered before this append would bring it back.
    if (client) afterCommit(client, () => this.entries.delete(streamId));
  }

  private set(streamId: string, entry: Entry): void {
    const current = this.entries.get(streamId);
    if (current && current.stream.version > entry.stream.version) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}
