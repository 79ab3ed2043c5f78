export * from './group-api.types';
export { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator';
export type { GroupState } from './group-state-table';
export {
  OFFSETS_LOG_FILE,
  OffsetStore,
  type CommittedOffset,
  type GroupOffsets,
  type OffsetLogRecovery,
  type OffsetStoreOptions,
} from './offset-store';
