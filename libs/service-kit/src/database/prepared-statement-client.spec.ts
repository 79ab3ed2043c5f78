import { MAX_PREPARED_STATEMENT_TEXTS, preparedStatementName } from './prepared-statement-client';

describe('preparedStatementName', () => {
  it('is stable per text, distinct between texts, and a valid PostgreSQL identifier', () => {
    const name = preparedStatementName('SELECT $1');
    expect(preparedStatementName('SELECT $1')).toBe(name);
    expect(preparedStatementName('SELECT $2')).not.toBe(name);
    expect(name).toMatch(/^fulfil_[0-9a-f]{32}$/);
    expect(name!.length).toBeLessThanOrEqual(63);
  });

  it('stops naming new texts at the limit, and keeps the names it gave', () => {
    const first = preparedStatementName('SELECT $1 AS first');
    for (let i = 0; i < MAX_PREPARED_STATEMENT_TEXTS; i += 1)
      preparedStatementName(`SELECT ${i}, $1`);
    expect(preparedStatementName('SELECT $1 AS one_too_many')).toBeUndefined();
    expect(preparedStatementName('SELECT $1 AS first')).toBe(first);
  });
});
