import { ErrorCode } from '../protocol/error-codes';
import type { JoinGroupResult } from './group-api.types';
import { GroupCoordinator } from './group-coordinator';
import { joinRequest, makeCoordinator } from './group-test.helpers';
import { OffsetStore } from './offset-store';

const offset = (
  topic: string,
  partition: number,
  value: number,
  metadata: string | null = null,
) => ({
  topic,
  partition,
  offset: value,
  metadata,
});

describe('GroupCoordinator offsets and administration', () => {
  let env: ReturnType<typeof makeCoordinator>;
  beforeEach(() => {
    jest.useFakeTimers();
    env = makeCoordinator();
  });
  afterEach(() => {
    env.cleanup();
    jest.useRealTimers();
  });

  const simpleCommit = (groupId: string, ...offsets: ReturnType<typeof offset>[]) =>
    env.coordinator.commitOffsets({ groupId, generationId: -1, memberId: '', offsets });

  const memberCommit = (joined: JoinGroupResult, generationId = joined.generationId) =>
    env.coordinator.commitOffsets({
      groupId: 'g',
      generationId,
      memberId: joined.memberId,
      offsets: [offset('t', 0, 7)],
    });

  async function joinOne(): Promise<JoinGroupResult> {
    const join = env.coordinator.join(joinRequest());
    await jest.advanceTimersByTimeAsync(0);
    return join;
  }

  it('accepts a simple commit for an unknown group and lists the group as Empty', () => {
    const results = simpleCommit('tool', offset('t', 0, 42, 'why'), offset('t', 1, 3));
    expect(results).toEqual([
      { topic: 't', partition: 0, errorCode: ErrorCode.NONE },
      { topic: 't', partition: 1, errorCode: ErrorCode.NONE },
    ]);
    expect(env.coordinator.list()).toEqual([{ groupId: 'tool', protocolType: '', state: 'Empty' }]);
    expect(env.store.get('tool').get('t')?.get(0)).toEqual({ offset: 42, metadata: 'why' });
  });

  it('rejects a simple commit on a group with members', async () => {
    await joinOne();
    expect(simpleCommit('g', offset('t', 0, 1))[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(env.store.get('g').size).toBe(0);
  });

  it('validates member commits by member, generation and state', async () => {
    const { coordinator } = env;
    expect(memberCommit({ memberId: 'm', generationId: 3 } as JoinGroupResult)[0].errorCode).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
    const joined = await joinOne();
    // CompletingRebalance: the new assignment is not known yet.
    expect(memberCommit(joined)[0].errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    await coordinator.sync({
      groupId: 'g',
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      assignments: [],
    });
    expect(memberCommit(joined)[0].errorCode).toBe(ErrorCode.NONE);
    expect(memberCommit(joined, joined.generationId + 1)[0].errorCode).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
    expect(memberCommit({ ...joined, memberId: 'ghost' })[0].errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    // PreparingRebalance: Kafka still takes commits so members can save progress before rejoining.
    void coordinator.join(joinRequest({ clientId: 'late' }));
    expect(coordinator.describe('g').state).toBe('PreparingRebalance');
    expect(memberCommit(joined)[0].errorCode).toBe(ErrorCode.NONE);
    expect(env.store.get('g').get('t')?.get(0)?.offset).toBe(7);
  });

  it('fetches requested partitions, -1 for those never committed, or everything for null', () => {
    simpleCommit('tool', offset('b', 1, 11), offset('a', 2, 22, 'meta'), offset('a', 0, 20));
    expect(env.coordinator.fetchOffsets('tool', [{ topic: 'a', partitions: [0, 5] }])).toEqual({
      errorCode: ErrorCode.NONE,
      topics: [
        {
          topic: 'a',
          partitions: [
            { partition: 0, offset: 20, metadata: '', errorCode: ErrorCode.NONE },
            { partition: 5, offset: -1, metadata: '', errorCode: ErrorCode.NONE },
          ],
        },
      ],
    });
    expect(env.coordinator.fetchOffsets('tool', null).topics).toEqual([
      {
        topic: 'a',
        partitions: [
          { partition: 0, offset: 20, metadata: '', errorCode: ErrorCode.NONE },
          { partition: 2, offset: 22, metadata: 'meta', errorCode: ErrorCode.NONE },
        ],
      },
      {
        topic: 'b',
        partitions: [{ partition: 1, offset: 11, metadata: '', errorCode: ErrorCode.NONE }],
      },
    ]);
    expect(env.coordinator.fetchOffsets('unknown', null)).toEqual({
      errorCode: ErrorCode.NONE,
      topics: [],
    });
  });

  it('describes an unknown group as Dead without an error', () => {
    expect(env.coordinator.describe('nope')).toEqual({
      errorCode: ErrorCode.NONE,
      groupId: 'nope',
      state: 'Dead',
      protocolType: '',
      protocol: '',
      members: [],
    });
  });

  it('hides metadata and protocol while a group is not Stable', async () => {
    await joinOne();
    const described = env.coordinator.describe('g');
    expect(described).toMatchObject({
      state: 'CompletingRebalance',
      protocolType: 'consumer',
      protocol: '',
    });
    expect(described.members[0]).toMatchObject({
      clientId: 'client',
      metadata: Buffer.alloc(0),
      assignment: Buffer.alloc(0),
    });
  });

  it('deletes only memberless groups, with their offsets', async () => {
    const { coordinator } = env;
    expect(coordinator.delete('nope')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    const joined = await joinOne();
    expect(coordinator.delete('g')).toBe(ErrorCode.NON_EMPTY_GROUP);
    coordinator.leave({
      groupId: 'g',
      members: [{ memberId: joined.memberId, groupInstanceId: null }],
    });

    simpleCommit('g', offset('t', 0, 5));
    expect(coordinator.delete('g')).toBe(ErrorCode.NONE);
    expect(coordinator.describe('g').state).toBe('Dead');
    expect(coordinator.list()).toEqual([]);
    expect(
      coordinator.fetchOffsets('g', [{ topic: 't', partitions: [0] }]).topics[0].partitions[0]
        .offset,
    ).toBe(-1);
    expect(coordinator.delete('g')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('restores groups and offsets from the store after a restart', () => {
    simpleCommit('kept', offset('t', 0, 9));
    simpleCommit('deleted', offset('t', 0, 1));
    env.coordinator.delete('deleted');
    env.coordinator.close();
    env.store.close();

    const store = OffsetStore.open(env.dir, { fsync: false });
    try {
      const coordinator = new GroupCoordinator({
        offsetStore: store,
        initialRebalanceDelayMs: 0,
        minSessionTimeoutMs: 1000,
        maxSessionTimeoutMs: 1_800_000,
      });
      expect(coordinator.list()).toEqual([{ groupId: 'kept', protocolType: '', state: 'Empty' }]);
      expect(coordinator.fetchOffsets('kept', null).topics[0].partitions[0].offset).toBe(9);
    } finally {
      store.close();
    }
  });

  it('drops committed offsets of a deleted topic', () => {
    simpleCommit('g', offset('gone', 0, 1), offset('stays', 0, 2));
    env.coordinator.removeTopic('gone');
    expect(env.coordinator.fetchOffsets('g', null).topics.map((t) => t.topic)).toEqual(['stays']);
  });
});
