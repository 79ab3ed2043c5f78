import { ErrorCode } from '../protocol/error-codes';
import {
  flushPromises,
  heartbeat,
  joinRequest,
  rejoinRequest,
  stableGroup,
  syncRequest,
  track,
  useCoordinatorSetup,
} from './group-test.helpers';

describe('GroupCoordinator membership changes', () => {
  const setup = useCoordinatorSetup();

  it('rebalances the survivors when a member leaves', async () => {
    const coordinator = setup();
    const [a, b] = await stableGroup(coordinator, 2);
    const left = coordinator.leave({
      groupId: 'g',
      members: [
        { memberId: a.memberId, groupInstanceId: null },
        { memberId: 'ghost', groupInstanceId: null },
      ],
    });
    expect(left).toEqual({
      errorCode: ErrorCode.NONE,
      members: [
        { memberId: a.memberId, groupInstanceId: null, errorCode: ErrorCode.NONE },
        { memberId: 'ghost', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
      ],
    });
    expect(heartbeat(coordinator, a)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(heartbeat(coordinator, b)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const b2 = await coordinator.join(rejoinRequest(b));
    expect(b2).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: b.memberId });
    expect(b2.members.map((m) => m.memberId)).toEqual([b.memberId]);
  });

  it('removes a member whose session expires and rebalances the survivors', async () => {
    const coordinator = setup();
    const [a, b] = await stableGroup(coordinator, 2);
    for (let elapsed = 0; elapsed < 10_000; elapsed += 4000) {
      expect(heartbeat(coordinator, a)).toBe(ErrorCode.NONE);
      await jest.advanceTimersByTimeAsync(4000);
    }
    // b stayed silent for its whole 10 s session.
    expect(heartbeat(coordinator, b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(heartbeat(coordinator, a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const a2 = await coordinator.join(rejoinRequest(a));
    expect(a2).toMatchObject({ generationId: 2, leader: a.memberId });
    expect(a2.members.map((m) => m.memberId)).toEqual([a.memberId]);
  });

  it('drops a member that does not rejoin within the rebalance timeout', async () => {
    const coordinator = setup();
    const [a, b] = await stableGroup(coordinator, 2);
    const c = track(coordinator.join(joinRequest({ clientId: 'late' })));
    const a2 = track(coordinator.join(rejoinRequest(a)));
    // b heartbeats (so its session never expires) but ignores the request to rejoin; the
    // rebalance times out after the members' largest rebalanceTimeoutMs (30 s).
    for (let elapsed = 0; elapsed < 25_000; elapsed += 5000) {
      expect(heartbeat(coordinator, b)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      await jest.advanceTimersByTimeAsync(5000);
      expect(a2.settled).toBe(false);
    }
    await jest.advanceTimersByTimeAsync(5000);
    const [joinedA, joinedC] = await Promise.all([a2.value, c.value]);
    expect(joinedA.generationId).toBe(2);
    expect(joinedA.members.map((m) => m.memberId)).toEqual([a.memberId, joinedC.memberId]);
    expect(heartbeat(coordinator, b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('keeps a member waiting in JoinGroup alive past its session timeout', async () => {
    const coordinator = setup();
    const [a, b] = await stableGroup(coordinator, 2);
    const a2 = track(coordinator.join(rejoinRequest(a)));
    for (let elapsed = 0; elapsed < 25_000; elapsed += 5000) {
      heartbeat(coordinator, b);
      await jest.advanceTimersByTimeAsync(5000);
    }
    expect(a2.settled).toBe(false);
    const b2 = await coordinator.join(rejoinRequest(b));
    expect((await a2.value).errorCode).toBe(ErrorCode.NONE);
    expect(b2.generationId).toBe(2);
  });

  it('hands leadership to the oldest remaining member when the leader does not rejoin', async () => {
    const coordinator = setup();
    const [a, b, c] = await stableGroup(coordinator, 3);
    coordinator.leave({ groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null }] });
    // c rejoins first, yet leadership follows join order, not rejoin order.
    const [c2, b2] = await Promise.all([
      coordinator.join(rejoinRequest(c)),
      coordinator.join(rejoinRequest(b)),
    ]);
    expect(b2.leader).toBe(b.memberId);
    expect(b2.members).toHaveLength(2);
    expect(c2.members).toEqual([]);
  });

  it('answers parked syncs with REBALANCE_IN_PROGRESS when a rebalance starts before the leader syncs', async () => {
    const coordinator = setup();
    const joins = [coordinator.join(joinRequest()), coordinator.join(joinRequest())];
    await jest.advanceTimersByTimeAsync(0);
    const [, follower] = await Promise.all(joins);
    const parked = track(coordinator.sync(syncRequest(follower)));
    await flushPromises();
    expect(parked.settled).toBe(false);
    void coordinator.join(joinRequest({ clientId: 'late' }));
    expect((await parked.value).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect((await coordinator.sync(syncRequest(follower))).errorCode).toBe(
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
  });

  it('drops a leader that never syncs within the rebalance timeout', async () => {
    const coordinator = setup();
    const joins = [
      coordinator.join(joinRequest({ rebalanceTimeoutMs: 5000 })),
      coordinator.join(joinRequest({ rebalanceTimeoutMs: 5000 })),
    ];
    await jest.advanceTimersByTimeAsync(0);
    const [leader, follower] = await Promise.all(joins);
    const parked = track(coordinator.sync(syncRequest(follower)));
    await jest.advanceTimersByTimeAsync(4000);
    expect(heartbeat(coordinator, leader)).toBe(ErrorCode.NONE);
    await jest.advanceTimersByTimeAsync(1000);
    expect((await parked.value).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(heartbeat(coordinator, leader)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const again = await coordinator.join(rejoinRequest(follower));
    expect(again).toMatchObject({ generationId: 2, leader: follower.memberId });
  });

  it('answers a leaving member parked in JoinGroup with UNKNOWN_MEMBER_ID', async () => {
    const coordinator = setup();
    const [a, b] = await stableGroup(coordinator, 2);
    const parked = track(coordinator.join(rejoinRequest(a)));
    await flushPromises();
    coordinator.leave({ groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null }] });
    expect(await parked.value).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
      memberId: '',
    });
    expect((await coordinator.join(rejoinRequest(b))).members.map((m) => m.memberId)).toEqual([
      b.memberId,
    ]);
  });

  it('leaves a group Empty with a new generation when its last member leaves', async () => {
    const coordinator = setup();
    const [a] = await stableGroup(coordinator, 1);
    coordinator.leave({ groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null }] });
    expect(coordinator.describe('g')).toMatchObject({ state: 'Empty', members: [] });
    expect(coordinator.list()).toEqual([
      { groupId: 'g', protocolType: 'consumer', state: 'Empty' },
    ]);
  });

  it('answers parked requests with COORDINATOR_NOT_AVAILABLE on close', async () => {
    const coordinator = setup({ initialRebalanceDelayMs: 1000 });
    const parked = coordinator.join(joinRequest());
    coordinator.close();
    expect((await parked).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect((await coordinator.join(joinRequest())).errorCode).toBe(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    expect(jest.getTimerCount()).toBe(0);
  });
});
