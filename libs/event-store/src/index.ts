export type { KnownStream } from './appended-streams';
export {
  CommandHandler,
  type AfterAppend,
  type CommandHandlerOptions,
  type DecidedEvent,
  type HandleOptions,
  type HandleResult,
  type HandlerDecider,
  type SnapshotPolicy,
} from './command-handler';
export {
  CREATE_EVENT_STORE_SQL,
  CreateEventStore1732300000000,
} from './create-event-store.migration';
export {
  EventStore,
  type AppendOptions,
  type AppendResult,
  type EventStoreOptions,
  type Queryable,
  type Snapshot,
} from './event-store';
export {
  DuplicateEventIdError,
  EventStoreError,
  isStaleExpectation,
  UpcastError,
  WrongExpectedVersionError,
} from './event-store.errors';
export type {
  Checkpoint,
  EventMetadata,
  ExpectedVersion,
  NewEvent,
  RecordedEvent,
} from './event.types';
export { Upcasters, type Upcast } from './upcasters';
export {
  afterCommit,
  commitWith,
  deferWrite,
  isDeferredWriteFailure,
  transactionLocal,
  withTransaction,
} from './transaction';
export { runWrites, type Write } from './writes';
