import { ApiKey, defineApi, throttleTimeMs } from '../api';
import { f } from '../schema';

export const JoinGroupApi = defineApi({
  key: ApiKey.JoinGroup,
  name: 'JoinGroup',
  versions: [0, 5],
  request: {
    groupId: f.string,
    sessionTimeoutMs: f.int32,
    // v0 has no rebalance timeout; the handler falls back to the session timeout.
    rebalanceTimeoutMs: f.int32.since(1).otherwise(-1),
    memberId: f.string,
    groupInstanceId: f.nullableString.since(5),
    protocolType: f.string,
    protocols: f.array(f.struct({ name: f.string, metadata: f.bytes })),
  },
  response: {
    throttleTimeMs: throttleTimeMs.since(2),
    errorCode: f.int16,
    generationId: f.int32,
    protocolName: f.string,
    leader: f.string,
    memberId: f.string,
    members: f.array(
      f.struct({
        memberId: f.string,
        groupInstanceId: f.nullableString.since(5),
        metadata: f.bytes,
      }),
    ),
  },
});

export const SyncGroupApi = defineApi({
  key: ApiKey.SyncGroup,
  name: 'SyncGroup',
  versions: [0, 3],
  request: {
    groupId: f.string,
    generationId: f.int32,
    memberId: f.string,
    groupInstanceId: f.nullableString.since(3),
    assignments: f.array(f.struct({ memberId: f.string, assignment: f.bytes })),
  },
  response: { throttleTimeMs: throttleTimeMs.since(1), errorCode: f.int16, assignment: f.bytes },
});

export const HeartbeatApi = defineApi({
  key: ApiKey.Heartbeat,
  name: 'Heartbeat',
  versions: [0, 3],
  request: {
    groupId: f.string,
    generationId: f.int32,
    memberId: f.string,
    groupInstanceId: f.nullableString.since(3),
  },
  response: { throttleTimeMs: throttleTimeMs.since(1), errorCode: f.int16 },
});

const leavingMember = { memberId: f.string, groupInstanceId: f.nullableString };

export const LeaveGroupApi = defineApi({
  key: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  versions: [0, 3],
  request: {
    groupId: f.string,
    memberId: f.string.until(2),
    members: f.array(f.struct(leavingMember)).since(3),
  },
  response: {
    throttleTimeMs: throttleTimeMs.since(1),
    errorCode: f.int16,
    members: f.array(f.struct({ ...leavingMember, errorCode: f.int16 })).since(3),
  },
});

export const DescribeGroupsApi = defineApi({
  key: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  versions: [0, 4],
  request: { groups: f.array(f.string), includeAuthorizedOperations: f.boolean.since(3) },
  response: {
    throttleTimeMs: throttleTimeMs.since(1),
    groups: f.array(
      f.struct({
        errorCode: f.int16,
        groupId: f.string,
        groupState: f.string,
        protocolType: f.string,
        protocolData: f.string,
        members: f.array(
          f.struct({
            memberId: f.string,
            groupInstanceId: f.nullableString.since(4),
            clientId: f.string,
            clientHost: f.string,
            memberMetadata: f.bytes,
            memberAssignment: f.bytes,
          }),
        ),
        authorizedOperations: f.int32.since(3),
      }),
    ),
  },
});

export const ListGroupsApi = defineApi({
  key: ApiKey.ListGroups,
  name: 'ListGroups',
  versions: [0, 2],
  request: {},
  response: {
    throttleTimeMs: throttleTimeMs.since(1),
    errorCode: f.int16,
    groups: f.array(f.struct({ groupId: f.string, protocolType: f.string })),
  },
});

export const DeleteGroupsApi = defineApi({
  key: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  versions: [0, 1],
  request: { groupsNames: f.array(f.string) },
  response: {
    throttleTimeMs,
    results: f.array(f.struct({ groupId: f.string, errorCode: f.int16 })),
  },
});
