/** The classic-protocol states of a consumer group, spelled as Kafka reports them. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/**
 * Which state may follow which. Mirrors Kafka's `validPreviousStates`, read forwards:
 *
 * | from                | to                                               |
 * |---------------------|--------------------------------------------------|
 * | Empty               | PreparingRebalance (first join), Dead (deleted)  |
 * | PreparingRebalance  | CompletingRebalance (joins done), Empty (nobody  |
 * |                     | left), Dead                                      |
 * | CompletingRebalance | Stable (leader synced), PreparingRebalance, Dead |
 * | Stable              | PreparingRebalance, Dead                         |
 * | Dead                | Dead                                             |
 */
export const GROUP_STATE_TRANSITIONS: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance', 'Dead'],
  PreparingRebalance: ['CompletingRebalance', 'Empty', 'Dead'],
  CompletingRebalance: ['Stable', 'PreparingRebalance', 'Dead'],
  Stable: ['PreparingRebalance', 'Dead'],
  Dead: ['Dead'],
};

/** Whether a group in `from` may move to `to`. */
export function canTransition(from: GroupState, to: GroupState): boolean {
  return GROUP_STATE_TRANSITIONS[from].includes(to);
}

/**
 * Throws on a transition the table forbids: such a move means the state machine has a bug, and
 * failing loudly beats handing clients a group in an impossible state.
 */
export function assertTransition(groupId: string, from: GroupState, to: GroupState): void {
  if (!canTransition(from, to)) {
    throw new Error(`Group ${JSON.stringify(groupId)}: illegal transition ${from} -> ${to}`);
  }
}

/** Compile-time exhaustiveness check for `switch` statements over unions. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
