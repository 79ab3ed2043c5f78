import { transactionLocal } from './transaction';

/** A stream's state and version, exactly as a load would find them. */
export interface KnownStream<State> {
  readonly state: State;
  readonly version: number;
  /**
   * The id of the stream's event at `version` (absent for an empty stream, or when unknown).
   * An append on a known stream expects it too: a version alone cannot tell a history the
   * database no longer has — asynchronously committed transactions a crash lost, the last
   * commits a failover lost — from the one written at the same versions since.
   */
  readonly lastEventId?: string;
}

/** A stream a transaction appended to through `CommandHandler`, and the decider of its state. */
interface Appended {
  readonly decider: object;
  readonly stream: KnownStream<unknown>;
}

/** The key of the transaction-local map: stream id → what the transaction appended to it. */
const APPENDED_STREAMS = Symbol('appended streams');

function appendedStreams(client: object): Map<string, Appended> | undefined {
  return transactionLocal(client, APPENDED_STREAMS, () => new Map<string, Appended>());
}

/**
 * Remembers `stream` as the state `decider` gives the stream after the open transaction on
 * `client` appended to it (only inside `withTransaction`). Until that transaction ends, the
 * stream stays exactly so: any other writer must insert the next version, which waits on our
 * uncommitted row and is refused once we commit. A rollback forgets it with the transaction.
 */
export function rememberAppended(
  client: object,
  streamId: string,
  decider: object,
  stream: KnownStream<unknown>,
): void {
  appendedStreams(client)?.set(streamId, { decider, stream });
}

/** The stream as the open transaction on `client` left it, if it appended to it with `decider`. */
export function appendedStream<State>(
  client: object,
  streamId: string,
  decider: object,
): KnownStream<State> | undefined {
  const appended = appendedStreams(client)?.get(streamId);
  return appended?.decider === decider ? (appended.stream as KnownStream<State>) : undefined;
}

/** Forgets the stream: an append that did not go through `CommandHandler` moved it on. */
export function forgetAppended(client: object, streamId: string): void {
  appendedStreams(client)?.delete(streamId);
}
