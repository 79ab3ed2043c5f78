import { AssertionError, deepStrictEqual } from 'node:assert/strict';
import type { Decider } from './decider';
import { DomainError } from './domain-error';
import { evolveAll } from './decider';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error;

/** What `when(command)` returns: assert on the events or on the error. */
export interface DeciderOutcome<Event> {
  /**
   * Asserts that the command emits exactly `expected` (deep, strict equality, in order);
   * fails with a diff, or with the unexpected error if `decide` threw.
   *
   * Named `then` for reading's sake, which makes the object "thenable": do not `await` it or
   * return `when(…)` alone from a test — call `.then([...])` or `.thenThrows(...)`.
   */
  then(expected: readonly Event[]): void;
  /** Asserts that `decide` throws: an instance of `expected`, or a {@link DomainError} with that `code`. */
  thenThrows(expected: ErrorClass | string): void;
}

/** What `given(events)` returns. */
export interface DeciderGiven<Command, Event> {
  when(command: Command): DeciderOutcome<Event>;
}

/**
 * given/when/then for a decider, with no I/O:
 *
 * ```ts
 * const given = deciderSpec(orderDecider);
 * it('ships a paid order', () =>
 *   given([orderPlaced, paymentCaptured]).when(shipOrder).then([orderShipped]));
 * it('refuses to ship twice', () =>
 *   given([orderPlaced, paymentCaptured, orderShipped]).when(shipOrder).thenThrows('ORDER.ALREADY_SHIPPED'));
 * ```
 */
export function deciderSpec<Command, Event, State>(
  decider: Decider<Command, Event, State>,
): (events: readonly Event[]) => DeciderGiven<Command, Event> {
  return (history) => ({
    when: (command) => {
      const run = (): Event[] => decider.decide(command, evolveAll(decider, history));
      return {
        then(expected) {
          if (typeof expected === 'function') {
            throw new TypeError(
              'given(…).when(…) was awaited or returned from a test: call .then([...events]) or .thenThrows(…)',
            );
          }
          let actual: Event[];
          try {
            actual = run();
          } catch (error) {
            throw new AssertionError({
              message: `Expected events but decide threw ${describe(error)}`,
              actual: error,
              expected,
            });
          }
          deepStrictEqual(actual, expected, 'The decider emitted other events than expected');
        },
        thenThrows(expected) {
          let events: Event[];
          try {
            events = run();
          } catch (error) {
            assertMatches(error, expected);
            return;
          }
          throw new AssertionError({
            message: `Expected decide to throw ${describeExpected(expected)} but it emitted ${events.length} event(s)`,
            actual: events,
            expected: describeExpected(expected),
          });
        },
      };
    },
  });
}

function assertMatches(error: unknown, expected: ErrorClass | string): void {
  const matches =
    typeof expected === 'string'
      ? error instanceof DomainError && error.code === expected
      : error instanceof expected;
  if (!matches) {
    throw new AssertionError({
      message: `Expected decide to throw ${describeExpected(expected)} but it threw ${describe(error)}`,
      actual: error,
      expected: describeExpected(expected),
    });
  }
}

function describeExpected(expected: ErrorClass | string): string {
  return typeof expected === 'string' ? `a DomainError with code ${expected}` : expected.name;
}

function describe(error: unknown): string {
  if (error instanceof DomainError) return `${error.name} (${error.code}): ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
