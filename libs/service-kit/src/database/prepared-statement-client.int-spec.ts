import { startTestInfrastructure } from '@fulfil/testing';
import { Pool } from 'pg';
import { PreparedStatementClient, preparedStatementName } from './prepared-statement-client';

type Infrastructure = Awaited<ReturnType<typeof startTestInfrastructure>>;

describe('PreparedStatementClient', () => {
  let infra: Infrastructure;
  let client: PreparedStatementClient;
  beforeAll(async () => {
    infra = await startTestInfrastructure();
  });
  beforeEach(async () => {
    client = new PreparedStatementClient({ connectionString: infra.postgresUrl });
    await client.connect();
  });
  afterEach(async () => {
    await client?.end();
  });
  afterAll(async () => {
    await infra?.stop();
  });

  /** This session's prepared statements: name → text. */
  const prepared = async () => {
    const { rows } = await client.query<{ name: string; statement: string }>(
      'SELECT name, statement FROM pg_prepared_statements',
    );
    return new Map(rows.map((row) => [row.name, row.statement]));
  };

  it('prepares a statement with parameters once per connection, in either call form', async () => {
    const text = 'SELECT $1::int + 1 AS next';
    const answers = [
      await client.query<{ next: number }>(text, [1]),
      await client.query<{ next: number }>({ text, values: [2] }),
      await client.query<{ next: number }>({ text }, [3]),
    ];
    expect(answers.map(({ rows }) => rows[0]?.next)).toEqual([2, 3, 4]);
    const statements = await prepared();
    expect(statements.get(preparedStatementName(text)!)).toBe(text);
    expect(statements.size).toBe(1);
  });

  it('leaves statements without parameters, named queries and transactions alone', async () => {
    await client.query('BEGIN');
    await client.query('SELECT 1');
    await client.query({ text: 'SELECT $1::text AS mine', values: ['a'], name: 'mine' });
    await client.query('COMMIT');
    expect([...(await prepared()).keys()]).toEqual(['mine']);
  });

  it('reports a failing statement every time, and runs it once it can', async () => {
    const text = 'SELECT $1::int / 0 AS never';
    await expect(client.query(text, [1])).rejects.toThrow(/division by zero/);
    await expect(client.query(text, [1])).rejects.toThrow(/division by zero/);
    const broken = 'SELEC $1::int';
    await expect(client.query(broken, [1])).rejects.toThrow(/syntax error/);
    await expect(client.query(broken, [1])).rejects.toThrow(/syntax error/);
    // A statement first prepared in a transaction that then failed is usable afterwards.
    await client.query('BEGIN');
    await expect(client.query('SELECT $1::int / 0', [1])).rejects.toThrow(/division/);
    const fresh = 'SELECT $1::int * 2 AS doubled';
    await expect(client.query(fresh, [4])).rejects.toThrow(/aborted/);
    await client.query('ROLLBACK');
    expect((await client.query<{ doubled: number }>(fresh, [4])).rows[0]?.doubled).toBe(8);
  });

  it('is what a pool hands out when given as its Client', async () => {
    const pool = new Pool({
      connectionString: infra.postgresUrl,
      max: 1,
      Client: PreparedStatementClient,
    });
    try {
      const text = 'SELECT $1::text AS echoed';
      expect((await pool.query<{ echoed: string }>(text, ['x'])).rows[0]?.echoed).toBe('x');
      const { rows } = await pool.query<{ statement: string }>(
        'SELECT statement FROM pg_prepared_statements WHERE name = $1',
        [preparedStatementName(text)],
      );
      expect(rows.map((row) => row.statement)).toEqual([text]);
    } finally {
      await pool.end();
    }
  });
});
