import {
  assertTransition,
  canTransition,
  GROUP_STATE_TRANSITIONS,
  type GroupState,
} from './group-state-table';

describe('group state table', () => {
  it('allows only Kafka’s transitions', () => {
    const allowed = (Object.keys(GROUP_STATE_TRANSITIONS) as GroupState[]).flatMap((from) =>
      (Object.keys(GROUP_STATE_TRANSITIONS) as GroupState[])
        .filter((to) => canTransition(from, to))
        .map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'Empty->PreparingRebalance',
        'Empty->Dead',
        'PreparingRebalance->CompletingRebalance',
        'PreparingRebalance->Empty',
        'PreparingRebalance->Dead',
        'CompletingRebalance->Stable',
        'CompletingRebalance->PreparingRebalance',
        'CompletingRebalance->Dead',
        'Stable->PreparingRebalance',
        'Stable->Dead',
        'Dead->Dead',
      ].sort(),
    );
  });

  it('throws on a forbidden transition', () => {
    expect(() => assertTransition('g', 'Stable', 'Empty')).toThrow(
      'illegal transition Stable -> Empty',
    );
    expect(() => assertTransition('g', 'Empty', 'PreparingRebalance')).not.toThrow();
  });
});
