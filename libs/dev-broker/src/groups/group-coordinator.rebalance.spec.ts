import { ErrorCode } from '../protocol/error-codes';
import {
  assignmentFor,
  flushPromises,
  heartbeat,
  joinRequest,
  rejoinRequest,
  stableGroup,
  syncRequest,
  track,
  useCoordinatorSetup,
} from './group-test.helpers';

describe('GroupCoordinator rebalancing', () => {
  const setup = useCoordinatorSetup();

  it('takes a single member through join, sync and heartbeat to Stable', async () => {
    const coordinator = setup({ initialRebalanceDelayMs: 100 });
    const join = track(coordinator.join(joinRequest({ clientId: 'solo' })));
    await jest.advanceTimersByTimeAsync(99);
    expect(join.settled).toBe(false);
    expect(coordinator.describe('g').state).toBe('PreparingRebalance');

    await jest.advanceTimersByTimeAsync(1);
    const joined = await join.value;
    expect(joined).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'range',
    });
    expect(joined.memberId).toMatch(/^solo-[0-9a-f-]{36}$/);
    expect(joined.leader).toBe(joined.memberId);
    expect(joined.members).toEqual([
      { memberId: joined.memberId, groupInstanceId: null, metadata: Buffer.from('sub') },
    ]);
    expect(coordinator.describe('g').state).toBe('CompletingRebalance');

    const synced = await coordinator.sync(syncRequest(joined, [joined]));
    expect(synced.errorCode).toBe(ErrorCode.NONE);
    expect(synced.assignment).toEqual(assignmentFor(joined.memberId));
    expect(heartbeat(coordinator, joined)).toBe(ErrorCode.NONE);

    const described = coordinator.describe('g');
    expect(described).toMatchObject({
      errorCode: ErrorCode.NONE,
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'range',
    });
    expect(described.members).toEqual([
      expect.objectContaining({
        memberId: joined.memberId,
        clientId: 'solo',
        metadata: Buffer.from('sub'),
        assignment: assignmentFor(joined.memberId),
      }),
    ]);
  });

  it('puts three members joining within the initial delay into one generation with one leader', async () => {
    const coordinator = setup({ initialRebalanceDelayMs: 100 });
    const metadata = (i: number) => Buffer.from(`sub-${i}`);
    const join = (i: number) =>
      track(
        coordinator.join(
          joinRequest({ clientId: `c${i}`, protocols: [{ name: 'range', metadata: metadata(i) }] }),
        ),
      );
    const first = join(0);
    await jest.advanceTimersByTimeAsync(40);
    const second = join(1);
    await jest.advanceTimersByTimeAsync(40);
    const third = join(2);
    // New members keep extending the initial delay (Kafka's InitialDelayedJoin) ...
    await jest.advanceTimersByTimeAsync(100);
    expect(first.settled).toBe(false);
    // ... until a whole delay passes without one.
    await jest.advanceTimersByTimeAsync(100);
    const joined = await Promise.all([first.value, second.value, third.value]);

    expect(new Set(joined.map((j) => j.generationId))).toEqual(new Set([1]));
    const leader = joined[0];
    expect(joined.map((j) => j.leader)).toEqual([
      leader.memberId,
      leader.memberId,
      leader.memberId,
    ]);
    expect(leader.members.map((m) => m.metadata)).toEqual([metadata(0), metadata(1), metadata(2)]);
    expect(leader.members.map((m) => m.memberId)).toEqual(joined.map((j) => j.memberId));
    expect(joined[1].members).toEqual([]);
    expect(joined[2].members).toEqual([]);

    // Followers sync first and wait for the leader's assignment.
    const followerSyncs = [
      track(coordinator.sync(syncRequest(joined[1]))),
      track(coordinator.sync(syncRequest(joined[2]))),
    ];
    await flushPromises();
    expect(followerSyncs.map((s) => s.settled)).toEqual([false, false]);
    const leaderSync = await coordinator.sync(syncRequest(leader, joined));
    expect(leaderSync.assignment).toEqual(assignmentFor(leader.memberId));
    expect((await followerSyncs[0].value).assignment).toEqual(assignmentFor(joined[1].memberId));
    expect((await followerSyncs[1].value).assignment).toEqual(assignmentFor(joined[2].memberId));
    expect(coordinator.describe('g').state).toBe('Stable');
  });

  it('rebalances a Stable group when a new member joins, once everybody rejoined', async () => {
    const coordinator = setup();
    const [a, b] = await stableGroup(coordinator, 2);
    const newcomer = track(coordinator.join(joinRequest({ clientId: 'late' })));
    await flushPromises();
    expect(coordinator.describe('g').state).toBe('PreparingRebalance');
    expect(heartbeat(coordinator, a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(heartbeat(coordinator, b)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);

    const rejoinA = track(coordinator.join(rejoinRequest(a)));
    await flushPromises();
    expect(rejoinA.settled).toBe(false);
    expect(newcomer.settled).toBe(false);
    const rejoinB = coordinator.join(rejoinRequest(b));
    const [a2, b2, c2] = await Promise.all([rejoinA.value, rejoinB, newcomer.value]);

    expect([a2.generationId, b2.generationId, c2.generationId]).toEqual([2, 2, 2]);
    expect(a2.leader).toBe(a.memberId);
    expect(a2.members.map((m) => m.memberId)).toEqual([a.memberId, b.memberId, c2.memberId]);
    expect(heartbeat(coordinator, a, 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(heartbeat(coordinator, a2)).toBe(ErrorCode.NONE);
  });

  it('answers a follower rejoining a Stable group without a rebalance, but rebalances for the leader', async () => {
    const coordinator = setup();
    const [leader, follower] = await stableGroup(coordinator, 2);
    const again = await coordinator.join(rejoinRequest(follower));
    expect(again).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      leader: leader.memberId,
      members: [],
    });
    expect(coordinator.describe('g').state).toBe('Stable');

    const leaderRejoin = track(coordinator.join(rejoinRequest(leader)));
    await flushPromises();
    expect(coordinator.describe('g').state).toBe('PreparingRebalance');
    expect(leaderRejoin.settled).toBe(false);
  });
});
