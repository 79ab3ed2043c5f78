export { evolveAll, type Decider } from './decider';
export { DomainError, isDomainError } from './domain-error';
export { deciderSpec, type DeciderGiven, type DeciderOutcome } from './given-when-then';
