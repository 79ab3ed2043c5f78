import type { Decider } from '../decider';
import { DomainError } from '../domain-error';

/** A tiny decider for the library's own tests: a counter with a ceiling. */
export type CounterCommand =
  | { readonly type: 'Increment'; readonly data: { readonly by: number } }
  | { readonly type: 'Reset'; readonly data: Record<string, never> };

export type CounterEvent =
  | { readonly type: 'Incremented'; readonly data: { readonly by: number } }
  | { readonly type: 'ResetDone'; readonly data: { readonly from: number } };

export interface CounterState {
  readonly value: number;
}

export const COUNTER_LIMIT = 10;

export class CounterLimitExceeded extends DomainError {
  constructor(value: number, by: number) {
    super('COUNTER.LIMIT_EXCEEDED', `Cannot add ${by} to ${value}: limit ${COUNTER_LIMIT}`, {
      value,
      by,
    });
  }
}

export class CounterAlreadyZero extends DomainError {
  constructor() {
    super('COUNTER.ALREADY_ZERO', 'The counter is already zero');
  }
}

export const counterDecider: Decider<CounterCommand, CounterEvent, CounterState> = {
  initialState: () => ({ value: 0 }),
  decide(command, state) {
    switch (command.type) {
      case 'Increment':
        if (state.value + command.data.by > COUNTER_LIMIT) {
          throw new CounterLimitExceeded(state.value, command.data.by);
        }
        return [{ type: 'Incremented', data: { by: command.data.by } }];
      case 'Reset':
        if (state.value === 0) throw new CounterAlreadyZero();
        return [{ type: 'ResetDone', data: { from: state.value } }];
      default: {
        const unreachable: never = command;
        throw new Error(`Unknown command ${JSON.stringify(unreachable)}`);
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'Incremented':
        return { value: state.value + event.data.by };
      case 'ResetDone':
        return { value: 0 };
      default: {
        const unreachable: never = event;
        throw new Error(`Unknown event ${JSON.stringify(unreachable)}`);
      }
    }
  },
};
