import {
  DeleteGroupsApi,
  DescribeGroupsApi,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  SyncGroupApi,
} from '../../protocol/messages';
import { ErrorCode } from '../../protocol/error-codes';
import { BrokerState, handler, HandlerRegistration, OPERATIONS_NOT_REQUESTED } from '../handler';

/** Consumer-group APIs: the protocol side of the GroupCoordinator. */
export function groupHandlers(broker: BrokerState): HandlerRegistration[] {
  const { groups } = broker;
  return [
    handler(JoinGroupApi, async (request, call) => {
      const joined = await groups.join({
        groupId: request.groupId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        clientId: call.clientId ?? '',
        clientHost: call.clientHost,
        sessionTimeoutMs: request.sessionTimeoutMs,
        // JoinGroup v0 has no rebalance timeout; Kafka then uses the session timeout.
        rebalanceTimeoutMs:
          request.rebalanceTimeoutMs < 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
        protocolType: request.protocolType,
        protocols: request.protocols,
      });
      return { throttleTimeMs: 0, ...joined, protocolName: joined.protocolName ?? '' };
    }),

    handler(SyncGroupApi, async (request) => ({
      throttleTimeMs: 0,
      ...(await groups.sync(request)),
    })),

    handler(HeartbeatApi, (request) => ({
      throttleTimeMs: 0,
      errorCode: groups.heartbeat(request),
    })),

    handler(LeaveGroupApi, (request, call) => {
      const members =
        call.apiVersion >= 3
          ? request.members
          : [{ memberId: request.memberId, groupInstanceId: null }];
      const left = groups.leave({ groupId: request.groupId, members });
      // Before v3 there is one member and its error is the answer's error.
      const errorCode =
        call.apiVersion >= 3 ? left.errorCode : (left.members[0]?.errorCode ?? left.errorCode);
      return { throttleTimeMs: 0, errorCode, members: left.members };
    }),

    handler(DescribeGroupsApi, (request) => ({
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const group = groups.describe(groupId);
        return {
          errorCode: group.errorCode,
          groupId,
          groupState: group.state,
          protocolType: group.protocolType,
          protocolData: group.protocol,
          members: group.members.map((member) => ({
            memberId: member.memberId,
            groupInstanceId: member.groupInstanceId,
            clientId: member.clientId,
            clientHost: member.clientHost,
            memberMetadata: member.metadata,
            memberAssignment: member.assignment,
          })),
          authorizedOperations: OPERATIONS_NOT_REQUESTED,
        };
      }),
    })),

    handler(ListGroupsApi, () => ({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.list().map(({ groupId, protocolType }) => ({ groupId, protocolType })),
    })),

    handler(DeleteGroupsApi, (request) => ({
      throttleTimeMs: 0,
      results: request.groupsNames.map((groupId) => ({
        groupId,
        errorCode: groups.delete(groupId),
      })),
    })),
  ];
}
