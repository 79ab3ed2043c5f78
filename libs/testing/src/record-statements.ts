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
  /** The calls of `spy` that `sent` keeps, with their place among all spied calls. */
  const calls = (spy: jest.SpyInstance, sent: (index: number) => boolean) =>
    spy.mock.calls.flatMap((args: unknown[], index: number) =>
      sent(index) ? [{ order: spy.mock.invocationCallOrder[index]!, query: args[0] }] : [],
    );
  return {
    get statements() {
      // A write the client declined to hold (`false`) is sent through `query` instead.
      const held = holdSpy ? calls(holdSpy, (i) => holdSpy.mock.results[i]?.value === true) : [];
      return [...calls(querySpy, () => true), ...held]
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
