import { ErrorCode } from '../protocol/error-codes';
import type { GroupProtocol } from './group-api.types';
import { joinRequest, makeCoordinator, rejoinRequest } from './group-test.helpers';

const protocol = (name: string): GroupProtocol => ({ name, metadata: Buffer.from(`meta-${name}`) });

describe('GroupCoordinator request validation', () => {
  let env: ReturnType<typeof makeCoordinator>;
  beforeEach(() => {
    jest.useFakeTimers();
    env = makeCoordinator();
  });
  afterEach(() => {
    env.cleanup();
    jest.useRealTimers();
  });

  async function joinAll(...requests: Parameters<typeof env.coordinator.join>[0][]) {
    const joins = requests.map((r) => env.coordinator.join(r));
    await jest.advanceTimersByTimeAsync(0);
    return Promise.all(joins);
  }

  it('rejects an empty group id and out-of-range session timeouts', async () => {
    const { coordinator } = env;
    expect((await coordinator.join(joinRequest({ groupId: '' }))).errorCode).toBe(
      ErrorCode.INVALID_GROUP_ID,
    );
    expect((await coordinator.join(joinRequest({ sessionTimeoutMs: 999 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    expect((await coordinator.join(joinRequest({ sessionTimeoutMs: 1_800_001 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    expect(
      coordinator.heartbeat({ groupId: '', generationId: 1, memberId: 'm', groupInstanceId: null }),
    ).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(coordinator.list()).toEqual([]);
  });

  it('answers UNKNOWN_MEMBER_ID for unknown members and groups', async () => {
    const { coordinator } = env;
    const unknownJoin = await coordinator.join(joinRequest({ memberId: 'ghost' }));
    expect(unknownJoin).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
      memberId: 'ghost',
      generationId: -1,
    });
    expect(
      coordinator.heartbeat({
        groupId: 'nope',
        generationId: 1,
        memberId: 'm',
        groupInstanceId: null,
      }),
    ).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const sync = {
      groupId: 'nope',
      generationId: 1,
      memberId: 'm',
      groupInstanceId: null,
      assignments: [],
    };
    expect((await coordinator.sync(sync)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    const [member] = await joinAll(joinRequest());
    expect((await coordinator.join(joinRequest({ memberId: 'ghost' }))).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect(
      coordinator.heartbeat({
        groupId: 'g',
        generationId: member.generationId,
        memberId: 'ghost',
        groupInstanceId: null,
      }),
    ).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(
      (
        await coordinator.sync({
          ...sync,
          groupId: 'g',
          generationId: member.generationId,
          memberId: 'ghost',
        })
      ).errorCode,
    ).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(
      coordinator.leave({ groupId: 'nope', members: [{ memberId: 'm', groupInstanceId: null }] })
        .members[0].errorCode,
    ).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('answers ILLEGAL_GENERATION for a stale generation', async () => {
    const { coordinator } = env;
    const [member] = await joinAll(joinRequest());
    const stale = {
      groupId: 'g',
      generationId: member.generationId - 1,
      memberId: member.memberId,
      groupInstanceId: null,
    };
    expect(coordinator.heartbeat(stale)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await coordinator.sync({ ...stale, assignments: [] })).errorCode).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
    expect(coordinator.heartbeat({ ...stale, generationId: member.generationId })).toBe(
      ErrorCode.NONE,
    );
  });

  it('answers SyncGroup with REBALANCE_IN_PROGRESS while preparing a rebalance', async () => {
    const { coordinator } = env;
    const [a] = await joinAll(joinRequest());
    void coordinator.join(joinRequest({ clientId: 'late' }));
    const sync = {
      groupId: 'g',
      generationId: a.generationId,
      memberId: a.memberId,
      groupInstanceId: null,
      assignments: [],
    };
    expect((await coordinator.sync(sync)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('picks the protocol with the most first-choice votes among those all members support', async () => {
    const [a, b, c] = await joinAll(
      joinRequest({ protocols: [protocol('range'), protocol('roundrobin'), protocol('sticky')] }),
      joinRequest({ protocols: [protocol('roundrobin'), protocol('range')] }),
      joinRequest({ protocols: [protocol('sticky'), protocol('roundrobin'), protocol('range')] }),
    );
    // sticky is c's favourite but b lacks it, so c votes roundrobin: roundrobin 2, range 1.
    expect([a.protocolName, b.protocolName, c.protocolName]).toEqual([
      'roundrobin',
      'roundrobin',
      'roundrobin',
    ]);
    expect(a.members.map((m) => m.metadata.toString())).toEqual([
      'meta-roundrobin',
      'meta-roundrobin',
      'meta-roundrobin',
    ]);
  });

  it('rejects a member sharing no protocol, or with another protocol type, as INCONSISTENT_GROUP_PROTOCOL', async () => {
    const { coordinator } = env;
    const [a] = await joinAll(
      joinRequest({ protocols: [protocol('range'), protocol('roundrobin')] }),
    );
    const noCommon = await coordinator.join(joinRequest({ protocols: [protocol('sticky')] }));
    expect(noCommon.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const otherType = await coordinator.join(
      joinRequest({ protocolType: 'connect', protocols: [protocol('range')] }),
    );
    expect(otherType.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(
      (await coordinator.join(joinRequest({ groupId: 'other', protocols: [] }))).errorCode,
    ).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(coordinator.describe('g').members).toHaveLength(1);
    expect(coordinator.describe('other').state).toBe('Dead');

    // A known member may change protocols as long as the others still share one.
    const changed = coordinator.join(rejoinRequest(a, { protocols: [protocol('sticky')] }));
    expect((await changed).errorCode).toBe(ErrorCode.NONE);
  });

  it('replaces the member with the same group instance id instead of keeping both', async () => {
    const { coordinator } = env;
    const [first] = await joinAll(joinRequest({ groupInstanceId: 'pod-1' }));
    const [second] = await joinAll(joinRequest({ groupInstanceId: 'pod-1' }));
    expect(second.memberId).not.toBe(first.memberId);
    expect(second.members.map((m) => m.groupInstanceId)).toEqual(['pod-1']);
    const left = coordinator.leave({
      groupId: 'g',
      members: [{ memberId: '', groupInstanceId: 'pod-1' }],
    });
    expect(left.members[0].errorCode).toBe(ErrorCode.NONE);
    expect(coordinator.describe('g').state).toBe('Empty');
  });
});
