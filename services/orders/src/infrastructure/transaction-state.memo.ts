import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL } from '@fulfil/messaging';
import type { Pool, PoolClient } from 'pg';

/** A stream's state and version, exactly as a load would find them. */
export interface KnownStream<State> {
  readonly state: State;
  readonly version: number;
}

/**
 * What a transaction knows of the streams it appended to, until it ends. After a successful
 * append, the stream is exactly what was loaded plus what was appended, for as long as the
 * transaction stays open: any other writer must insert the next version, which waits on our
 * uncommitted row and is refused once we commit. So a later command on the same stream in the
 * same transaction (events of one inbox batch, e.g. PaymentAuthorised then PaymentCaptured)
 * can be decided without reading the stream again.
 *
 * A transaction is one checkout of a pool connection (`withTransaction`: BEGIN … COMMIT or
 * ROLLBACK, then release): whatever was remembered is forgotten when the connection goes back
 * to the pool, so a rolled-back transaction leaves nothing behind. Connections not checked out
 * of this service's pool are never remembered.
 */
@Injectable()
export class TransactionStateMemo {
  private readonly known = new WeakMap<PoolClient, Map<string, KnownStream<unknown>>>();
  private readonly checkedOut = new WeakSet<PoolClient>();

  constructor(@Inject(PG_POOL) pool: Pool) {
    pool.on('acquire', (client) => {
      this.checkedOut.add(client);
      this.known.delete(client);
    });
    pool.on('release', (_error, client) => {
      this.checkedOut.delete(client);
      this.known.delete(client);
    });
  }

  /** Call right after `client`'s transaction appended to `streamId` (state and version after it). */
  remember<State>(client: PoolClient, streamId: string, stream: KnownStream<State>): void {
    if (!this.checkedOut.has(client)) return;
    const streams = this.known.get(client) ?? new Map<string, KnownStream<unknown>>();
    streams.set(streamId, stream);
    this.known.set(client, streams);
  }

  /** The stream as `client`'s open transaction left it, if it appended to it. */
  recall<State>(client: PoolClient, streamId: string): KnownStream<State> | undefined {
    return this.known.get(client)?.get(streamId) as KnownStream<State> | undefined;
  }
}
