export {
  EMBEDDED_POSTGRES_PASSWORD,
  EMBEDDED_POSTGRES_USER,
  embeddedPostgresTcpUrl,
  POSTGRES_RUNNER_PATH,
  startEmbeddedPostgres,
} from './embedded-postgres';
export type { EmbeddedPostgres, EmbeddedPostgresOptions } from './embedded-postgres';
export { createDatabase, databaseUrl, dropDatabase, redactUrl, waitForPostgres } from './databases';
export { devBrokerCommand, startDevBrokerProcess } from './dev-broker-process';
export type { DevBrokerProcess, DevBrokerProcessOptions } from './dev-broker-process';
export { isProcessAlive, spawnUntilReady, stopChild } from './child-process';
export type { ChildExit, ReadyChild, SpawnUntilReadyOptions } from './child-process';
export {
  machineCpuSeconds,
  processContextSwitches,
  processTreeContextSwitches,
  processRunQueueSeconds,
  processTreeRunQueueSeconds,
  processTreeCpuSeconds,
  startCpuMeter,
  type CpuMeter,
  type CpuShare,
} from './benchmark/cpu-meter';
export {
  measureMachineSpeed,
  type MachineSpeed,
  type MachineSpeedOptions,
} from './benchmark/machine-speed';
export { percentile, round } from './benchmark/statistics';
export { runBenchmark, type RunBenchmarkOptions } from './benchmark/run-benchmark';
export { MALLOC_TUNABLES } from './postgres-malloc.cjs';
