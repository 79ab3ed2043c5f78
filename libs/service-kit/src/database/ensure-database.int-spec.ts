import { randomUUID } from 'node:crypto';
import { startTestInfrastructure } from '@fulfil/testing';
import { Client } from 'pg';
import { ensureDatabase } from './ensure-database';

type Infrastructure = Awaited<ReturnType<typeof startTestInfrastructure>>;

describe('ensureDatabase', () => {
  let infra: Infrastructure;
  beforeAll(async () => {
    infra = await startTestInfrastructure();
  });
  afterAll(async () => {
    await infra?.stop();
  });

  const urlFor = (name: string): string => {
    const url = new URL(infra.postgresServerUrl);
    url.pathname = `/${encodeURIComponent(name)}`;
    return url.toString();
  };

  it('creates an oddly named database once, even with concurrent callers', async () => {
    const name = `Odd "Name" drop-${randomUUID().slice(0, 6)}`;
    const created = await Promise.all([1, 2, 3].map(() => ensureDatabase(urlFor(name))));
    expect(created.filter(Boolean)).toHaveLength(1);
    const client = new Client({ connectionString: urlFor(name) });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.end();
    expect(rows[0]?.db).toBe(name);
    expect(await ensureDatabase(urlFor(name))).toBe(false);
  });

  it('leaves an existing database alone', async () => {
    expect(await ensureDatabase(infra.postgresUrl)).toBe(false);
  });
});
