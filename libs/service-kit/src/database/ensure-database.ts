import { Client } from 'pg';

const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** `"name"` with embedded quotes doubled: a PostgreSQL identifier that is always safe. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if (codeOf(error) === INVALID_CATALOG_NAME) return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Creates the database named in `databaseUrl` when it does not exist yet, through the
 * `postgres` maintenance database of the same server. Tolerates another process creating it
 * at the same moment. Returns whether it created the database.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  if (await canConnect(databaseUrl)) return false;
  // The name exactly as pg reads it from the URL (it decodes less than decodeURIComponent).
  const name = new Client({ connectionString: databaseUrl }).database;
  if (!name) throw new Error('DATABASE_URL names no database');
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    return true;
  } catch (error) {
    const code = codeOf(error);
    if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return false;
    throw error;
  } finally {
    await admin.end().catch(() => undefined);
  }
}
