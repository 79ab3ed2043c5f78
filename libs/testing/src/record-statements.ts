import type { ClientBase } from 'pg';

/** A statement a client sent: its prepared-statement name, if any, and its text on one line. */
export interface SentStatement {
  readonly name?: string;
  readonly text: string;
}

/**
 * Records the statements `client` sends from now on (a jest spy on its `query`), until
 * `restore()`. For tests that pin how many round trips a piece of work costs, and which.
 */
export function recordStatements(client: ClientBase): {
  readonly statements: readonly SentStatement[];
  restore(): void;
} {
  const spy = jest.spyOn(client, 'query');
  return {
    get statements() {
      return spy.mock.calls.map(([query]) => {
        const config = typeof query === 'string' ? { text: query } : (query as SentStatement);
        const text = config.text.replace(/\s+/g, ' ').trim();
        return config.name === undefined ? { text } : { name: config.name, text };
      });
    },
    restore: () => spy.mockRestore(),
  };
}
