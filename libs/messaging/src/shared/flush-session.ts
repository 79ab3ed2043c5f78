import type { Pool, PoolClient } from 'pg';
import { flushWal } from './wal-flush';

/**
 * A database session of its own for WAL flushes, which also vouches for the transactions
 * committed without waiting for the flush since it opened.
 *
 * A flush makes durable what the server wrote so far — but only what *this* server wrote: after
 * a crash and recovery (or a restart, or a failover) the commits it had not flushed are gone,
 * and a flush on the new server succeeds without bringing them back. Any of those events ends
 * every session, this one too. So while this session lives, a flush on it covers every commit
 * since it opened; once it is lost, some of them may be gone, and no later flush can tell
 * which: `flush` answers false from then on. A new session vouches only for commits after it
 * opened. (A session lost on its own — a network failure, `pg_terminate_backend` — is taken
 * for a crash too: the caller redoes work that was kept, which is safe, never the reverse.)
 * Needs a direct connection, or a pooler in session mode: one in transaction mode could keep
 * the client's connection open across a crash of the server behind it.
 */
export class FlushSession {
  private lost = false;
  private released = false;

  private constructor(private readonly client: PoolClient) {
    // pg reports a connection that ended, or failed while idle, here; without a listener the
    // error would end the process. Every later query on the client fails too.
    client.on('error', () => (this.lost = true));
    client.on('end', () => (this.lost = true));
  }

  /** Opens a session on a connection of `pool`, held until `close`. */
  static async open(pool: Pool): Promise<FlushSession> {
    return new FlushSession(await pool.connect());
  }

  /**
   * Flushes the WAL on this session: true when every transaction committed since `open` is
   * durable, false when the session was lost (those transactions may be gone). Throws an error
   * of the statement itself, which the session survived: nothing is known, try again.
   */
  async flush(): Promise<boolean> {
    if (this.lost) return false;
    try {
      await flushWal(this.client);
      return true;
    } catch (error) {
      // The connection's end is reported before its pending queries fail. A server that ended
      // the session with an error message (a shutdown) fails the query first, and ends the
      // connection just after: then the next call answers false.
      if (this.lost) return false;
      throw error;
    }
  }

  /** Gives the connection back, closed (a lost one could not be used again anyway). */
  close(): void {
    if (this.released) return;
    this.released = true;
    this.client.release(true);
  }
}
