export { resolveInfrastructureKind, startTestInfrastructure } from './test-infrastructure';
export type {
  TestInfrastructure,
  TestInfrastructureKind,
  TestInfrastructureOptions,
} from './test-infrastructure.types';
export { isDockerReachable } from './docker-detection';
export { freePort, freePortOffset } from './free-port';
export { sharedPostgresRegistry } from './shared-postgres';
export type { SharedPostgresInfo } from './shared-postgres';
export { waitFor } from './wait-for';
export { useTestDatabase, type TestDatabase, type TestDatabaseOptions } from './test-database';
export { recordStatements, type SentStatement } from './record-statements';
export { runMigration } from './run-migration';
export { startDurablePostgres, type DurablePostgres } from './durable-postgres';
export { slowWalWriter, untilACrashTakesBack, walFlushesOf, walFsyncsOf } from './wal-fsyncs';
export { startFixtureProcess, type FixtureProcess } from './fixture-process';
