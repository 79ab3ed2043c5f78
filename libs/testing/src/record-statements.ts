import type { ClientBase } from 'pg';

/** A statement a client sent: its prepared-statement name, if any, and its text on one line. */
export interface SentStatement {
  readonly name?: string;
  readonly text: string;
}

/** A client's offer to hold writes for its next statement (service-kit's deferred-begin.ts). */
type HoldsWrites = { deferWrite(text: string, values: readonly unknown[]): boolean };

/**
 * Records the statements `client` sends from now on (jest spies on its `query`, and on the
 * writes it holds to send with a later statement), in order, until `restore()`. For tests that
 * pin how many statements a piece of work costs, and which. A held write is a statement of its
 * own, though it shares the round trip of the one after it.
 */
export function recordStatements(client: ClientBase): {
  readonly statements: readonly SentStatement[];
  restore(): void;
} {
  const querySpy = jest.spyOn(client, 'query');
  const holder = (client as unknown as Record<symbol, HoldsWrites | undefined>)[
    Symbol.for('fulfil.pg.deferred-begin')
  ];
  const holdSpy = holder && jest.spyOn(holder, 'deferWrite');
  const calls = (spy: jest.SpyInstance | undefined) =>
    spy
      ? spy.mock.calls.map((args: unknown[], index: number) => ({
          order: spy.mock.invocationCallOrder[index]!,
          query: args[0],
          held: spy === holdSpy && spy.mock.results[index]?.value === true,
        }))
      : [];
  return {
    get statements() {
      return [...calls(querySpy), ...calls(holdSpy).filter((call) => call.held)]
        .sort((a, b) => a.order - b.order)
        .map(({ query }) => {
          const config = typeof query === 'string' ? { text: query } : (query as SentStatement);
          const text = config.text.replace(/\s+/g, ' ').trim();
          return config.name === undefined ? { text } : { name: config.name, text };
        });
    },
    restore: () => {
      querySpy.mockRestore();
      holdSpy?.mockRestore();
    },
  };
}
