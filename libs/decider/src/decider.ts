/**
 * An aggregate as three pure, synchronous functions (see ARCHITECTURE.md, "Event sourcing").
 *
 * - `initialState()` — the state of a stream that has no events yet;
 * - `decide(command, state)` — the events the command causes, or a thrown {@link DomainError}
 *   when a rule forbids it (never I/O, never `new Date()`: time and ids come in the command);
 * - `evolve(state, event)` — the state after one event (a fold step; must not throw for any
 *   event `decide` can emit).
 */
export interface Decider<Command, Event, State> {
  readonly initialState: () => State;
  readonly decide: (command: Command, state: State) => Event[];
  readonly evolve: (state: State, event: Event) => State;
}

/** Folds `events` over `state` (default: the decider's initial state) with `evolve`. */
export function evolveAll<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  events: readonly Event[],
  state: State = decider.initialState(),
): State {
  return events.reduce((current, event) => decider.evolve(current, event), state);
}
