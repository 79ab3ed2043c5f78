import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ErrorCode } from '../protocol/error-codes';
import type { JoinGroupRequest, JoinGroupResult, SyncGroupRequest } from './group-api.types';
import { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator';
import { OffsetStore } from './offset-store';

/** A scratch data directory, removed by the returned cleanup. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-broker-groups-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A coordinator over a real offset store in a temp dir. */
export function makeCoordinator(
  options: Partial<Omit<GroupCoordinatorOptions, 'offsetStore'>> = {},
): {
  coordinator: GroupCoordinator;
  store: OffsetStore;
  dir: string;
  cleanup: () => void;
} {
  const temp = makeTempDir();
  const store = OffsetStore.open(temp.dir, { fsync: false });
  const coordinator = new GroupCoordinator({
    offsetStore: store,
    initialRebalanceDelayMs: 0,
    minSessionTimeoutMs: 1000,
    maxSessionTimeoutMs: 1_800_000,
    ...options,
  });
  return {
    coordinator,
    store,
    dir: temp.dir,
    cleanup: () => {
      coordinator.close();
      store.close();
      temp.cleanup();
    },
  };
}

/** A JoinGroup for group `g` from a new `consumer` member speaking `range`. */
export function joinRequest(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('sub') }],
    ...overrides,
  };
}

/** A rejoin of a known member with the same defaults as {@link joinRequest}. */
export function rejoinRequest(
  joined: JoinGroupResult,
  overrides: Partial<JoinGroupRequest> = {},
): JoinGroupRequest {
  return joinRequest({ memberId: joined.memberId, ...overrides });
}

/** Follows a promise so a test can assert it is still pending. */
export function track<T>(promise: Promise<T>): {
  readonly settled: boolean;
  readonly value: Promise<T>;
} {
  const state = { settled: false, value: promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** Lets resolved promises run their continuations (fake timers advance nothing here). */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

/** The assignment {@link stableGroup}'s leader hands a member: recognisable per member. */
export const assignmentFor = (memberId: string): Buffer => Buffer.from(`assignment:${memberId}`);

/** A SyncGroup for a joined member; a leader passes the members to assign. */
export function syncRequest(
  joined: JoinGroupResult,
  leaderAssigns: JoinGroupResult[] = [],
): SyncGroupRequest {
  return {
    groupId: 'g',
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    assignments: leaderAssigns.map((m) => ({
      memberId: m.memberId,
      assignment: assignmentFor(m.memberId),
    })),
  };
}

/** Sends a Heartbeat for a joined member (of its own generation unless told otherwise). */
export function heartbeat(
  coordinator: GroupCoordinator,
  joined: JoinGroupResult,
  generationId = joined.generationId,
): ErrorCode {
  return coordinator.heartbeat({
    groupId: 'g',
    generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
  });
}

/**
 * Joins `count` members in one generation and syncs them to Stable; the leader comes first.
 * Needs Jest fake timers and a coordinator with no initial rebalance delay.
 */
export async function stableGroup(
  coordinator: GroupCoordinator,
  count: number,
): Promise<JoinGroupResult[]> {
  const joins = Array.from({ length: count }, (_, i) =>
    coordinator.join(joinRequest({ clientId: `c${i}` })),
  );
  await jest.advanceTimersByTimeAsync(0);
  const joined = await Promise.all(joins);
  const leader = joined[0];
  expect(joined.every((j) => j.leader === leader.memberId)).toBe(true);
  const syncs = joined.map((j) => coordinator.sync(syncRequest(j, j === leader ? joined : [])));
  await Promise.all(syncs);
  expect(coordinator.describe('g').state).toBe('Stable');
  return joined;
}

/**
 * Fake timers around each test of the calling describe block, and a `setup`
 * that builds the test's coordinator (cleaned up after the test).
 */
export function useCoordinatorSetup(): (
  options?: Parameters<typeof makeCoordinator>[0],
) => GroupCoordinator {
  let env: ReturnType<typeof makeCoordinator> | undefined;
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    env?.cleanup();
    env = undefined;
    jest.useRealTimers();
  });
  return (options = {}) => {
    env = makeCoordinator(options);
    return env.coordinator;
  };
}
