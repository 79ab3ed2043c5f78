import { Client } from 'pg';

/**
 * The URL of database `name` on the server at `serverUrl` (a URL without a database, or with one
 * that is replaced): `databaseUrl('postgres://u:p@127.0.0.1:5432', 'orders')` →
 * `postgres://u:p@127.0.0.1:5432/orders`. Query parameters are kept.
 */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** The maintenance database of a server URL (`postgres`), for CREATE/DROP DATABASE. */
function maintenanceUrl(serverUrl: string): string {
  return databaseUrl(serverUrl, 'postgres');
}

async function withClient<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: maintenanceUrl(serverUrl) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates database `name` on the server unless it exists; resolves with its URL
 * ({@link databaseUrl}). Safe when several callers race to create the same name.
 */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await withClient(serverUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } catch (error) {
      // 42P04 duplicate_database; 23505 when a concurrent CREATE DATABASE won the race.
      const code = (error as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw error;
    }
  });
  return databaseUrl(serverUrl, name);
}

/**
 * Drops database `name` if it exists. Sessions that are still closing (a pool that was just
 * ended) get a moment to go; only those left after `graceMs` are disconnected (PostgreSQL 13+
 * FORCE), since a terminated session surfaces as an error in whichever client still holds it.
 */
export async function dropDatabase(
  serverUrl: string,
  name: string,
  graceMs = 1_000,
): Promise<void> {
  await withClient(serverUrl, async (client) => {
    const deadline = Date.now() + graceMs;
    for (;;) {
      const { rows } = await client.query<{ sessions: number }>(
        'SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      if (rows[0]!.sessions === 0 || Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  });
}

/** Resolves once a server accepts connections, rejects after `timeoutMs`. */
export async function waitForPostgres(serverUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await withClient(serverUrl, (client) => client.query('SELECT 1'));
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(
          `PostgreSQL at ${redactUrl(serverUrl)} not reachable after ${timeoutMs} ms: ${(error as Error).message}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The URL with its password replaced by `***`, for logs. */
export function redactUrl(serverUrl: string): string {
  try {
    const url = new URL(serverUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<invalid URL>';
  }
}
