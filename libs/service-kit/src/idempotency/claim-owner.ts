import { randomBytes } from 'node:crypto';
import { Client, type ClientConfig } from 'pg';

/** How long after a failed attempt to hold its lock the owner tries again (on a claim). */
const RETRY_AFTER_MS = 1_000;

/** Logs what a lost or failed owner session means; the store's logger. */
export interface ClaimOwnerLogger {
  warn(message: object): void;
}

/**
 * This process, as the owner of the idempotency keys it claims: a session of its own on the
 * database holds an advisory lock on a random key (`ownerKey`), stored with each claim. When
 * the process dies — a crash, a SIGKILL — PostgreSQL ends the session as its connection closes
 * and the lock goes with it; a retry of a key the process had claimed and not answered finds
 * its owner gone (`OWNER_GONE`) and takes the key over at once, where it would otherwise get
 * 409 until the claim's lock times out. (A machine that vanishes closes no connection: its
 * sessions end when PostgreSQL's TCP keepalive notices, or its claims' lock timeouts first.)
 *
 * While the session cannot be opened (the database unreachable), claims are stored without an
 * owner and wait out their lock timeout as before. A session lost while this
 * process runs makes its unanswered claims look abandoned until it is back (with the same lock
 * key): a retry in that window may run beside the first request, as after a lock timeout.
 * Needs a direct connection (a pooler in transaction mode would not keep a session lock).
 */
export class ClaimOwner {
  private key = randomOwnerKey();
  private client: Client | undefined;
  private opening: Promise<void> | undefined;
  private retryAt = 0;
  private stopped = false;

  /** `connection`: the service database's connection settings, read at each (re)connect. */
  constructor(
    private readonly connection: () => ClientConfig,
    private readonly logger: ClaimOwnerLogger,
  ) {}

  /**
   * The key to store with a claim: this process's, once its session holds the lock — opened
   * by the first claim, reopened after a loss, both waited for. Null while the session cannot
   * be opened (tried again a second after a failure): the claim then has no owner.
   */
  async ownerKey(): Promise<string | null> {
    if (!this.client && !this.opening && !this.stopped && Date.now() >= this.retryAt) {
      this.opening = this.open().finally(() => (this.opening = undefined));
    }
    await this.opening;
    return this.client ? this.key : null;
  }

  /** Ends the session: this process's unanswered claims are abandoned from now on. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.opening;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const client = new Client(this.connection());
    // A connection error is reported on `end` below; without a listener it would crash us.
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ held: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS held',
        [this.key],
      );
      // Held by another session: ours from before a network failure, still open on the server
      // side. Its claims stay covered as long as it lives; new claims get a key of their own.
      if (!rows[0]?.held) {
        this.key = randomOwnerKey();
        await client.query('SELECT pg_advisory_lock($1::bigint)', [this.key]);
      }
    } catch (error) {
      this.retryAt = Date.now() + RETRY_AFTER_MS;
      await client.end().catch(() => undefined);
      this.logger.warn({
        msg: 'Idempotency key owner session not opened; claims wait out their lock timeout',
        err: error,
      });
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    client.once('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      if (this.stopped) return;
      this.logger.warn({
        msg: 'Idempotency key owner session lost; reopening it (unanswered claims look abandoned meanwhile)',
      });
      void this.ownerKey();
    });
  }
}

/**
 * The SQL condition that the `pg_locks` row aliased `l` is the advisory lock on the owner key
 * of the `idempotency_keys` row aliased `k`: `pg_advisory_lock(bigint)` shows in `pg_locks` as
 * the key's high and low 32 bits.
 */
export const OWNER_LOCK = `l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND l.classid = (k.owner_key >> 32)::oid AND l.objid = (k.owner_key & 4294967295)::oid`;

/**
 * The SQL condition, on the `idempotency_keys` row aliased `k`, that its owner's session has
 * ended: no session of its database holds the advisory lock on `owner_key`. False for a claim
 * stored without an owner: only its lock timeout ends it.
 */
export const OWNER_GONE = `(k.owner_key IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM pg_locks l
     WHERE ${OWNER_LOCK}
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())))`;

/** A random non-negative 62-bit key, as the decimal text pg takes for a bigint. */
function randomOwnerKey(): string {
  return (randomBytes(8).readBigUInt64BE() >> 2n).toString();
}
