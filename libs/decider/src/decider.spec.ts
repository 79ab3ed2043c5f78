import { AssertionError } from 'node:assert';
import { evolveAll } from './decider';
import { DomainError, isDomainError } from './domain-error';
import { deciderSpec } from './given-when-then';
import {
  CounterAlreadyZero,
  CounterLimitExceeded,
  counterDecider,
  type CounterEvent,
} from './testing/counter.decider';

const given = deciderSpec(counterDecider);
const incremented = (by: number): CounterEvent => ({ type: 'Incremented', data: { by } });

describe('counter decider (given/when/then)', () => {
  it('increments from the initial state', () =>
    given([])
      .when({ type: 'Increment', data: { by: 3 } })
      .then([incremented(3)]));

  it('resets from the folded state', () =>
    given([incremented(2), incremented(5)])
      .when({ type: 'Reset', data: {} })
      .then([{ type: 'ResetDone', data: { from: 7 } }]));

  it('refuses to pass the limit, by class and by code', () => {
    const when = given([incremented(9)]).when({ type: 'Increment', data: { by: 2 } });
    when.thenThrows(CounterLimitExceeded);
    when.thenThrows(DomainError);
    when.thenThrows('COUNTER.LIMIT_EXCEEDED');
  });

  it('refuses to reset a zero counter', () =>
    given([incremented(1), { type: 'ResetDone', data: { from: 1 } }])
      .when({ type: 'Reset', data: {} })
      .thenThrows(CounterAlreadyZero));
});

describe('the given/when/then helper fails clearly', () => {
  const failure = (assertion: () => void): AssertionError => {
    try {
      assertion();
    } catch (error) {
      expect(error).toBeInstanceOf(AssertionError);
      return error as AssertionError;
    }
    throw new Error('the assertion passed but should have failed');
  };

  it('shows a diff when other events are emitted', () => {
    const error = failure(() =>
      given([])
        .when({ type: 'Increment', data: { by: 3 } })
        .then([incremented(4)]),
    );
    expect(error.message).toContain('The decider emitted other events than expected');
    expect(error.actual).toEqual([incremented(3)]);
    expect(error.expected).toEqual([incremented(4)]);
  });

  it('names the error when events were expected but decide threw', () => {
    const error = failure(() => given([]).when({ type: 'Reset', data: {} }).then([]));
    expect(error.message).toContain('CounterAlreadyZero (COUNTER.ALREADY_ZERO)');
  });

  it('fails when decide emits instead of throwing', () => {
    const error = failure(() =>
      given([])
        .when({ type: 'Increment', data: { by: 1 } })
        .thenThrows('COUNTER.LIMIT_EXCEEDED'),
    );
    expect(error.message).toContain(
      'Expected decide to throw a DomainError with code COUNTER.LIMIT_EXCEEDED but it emitted 1 event(s)',
    );
  });

  it('fails when decide throws another error or code', () => {
    const when = given([]).when({ type: 'Reset', data: {} });
    expect(failure(() => when.thenThrows(CounterLimitExceeded)).message).toContain(
      'Expected decide to throw CounterLimitExceeded but it threw CounterAlreadyZero',
    );
    expect(failure(() => when.thenThrows('COUNTER.LIMIT_EXCEEDED')).message).toContain(
      'but it threw CounterAlreadyZero (COUNTER.ALREADY_ZERO)',
    );
  });

  it('refuses to be awaited by mistake', async () => {
    const outcome = given([]).when({ type: 'Increment', data: { by: 1 } });
    await expect(Promise.resolve(outcome)).rejects.toThrow(/call \.then\(\[\.\.\.events\]\)/);
  });
});

describe('evolveAll and DomainError', () => {
  it('folds events from the initial state or a given one', () => {
    expect(evolveAll(counterDecider, [incremented(2), incremented(3)])).toEqual({ value: 5 });
    expect(evolveAll(counterDecider, [incremented(1)], { value: 4 })).toEqual({ value: 5 });
  });

  it('carries a stable code, details and the subclass name', () => {
    const error = new CounterLimitExceeded(9, 2);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CounterLimitExceeded');
    expect(error.code).toBe('COUNTER.LIMIT_EXCEEDED');
    expect(error.details).toEqual({ value: 9, by: 2 });
    expect(isDomainError(error, 'COUNTER.LIMIT_EXCEEDED')).toBe(true);
    expect(isDomainError(error, 'OTHER')).toBe(false);
    expect(isDomainError(new Error('x'))).toBe(false);
  });
});
