import { ErrorCode } from '../../protocol/error-codes';
import {
  ApiVersionsApi,
  CreateTopicsApi,
  DeleteTopicsApi,
  FindCoordinatorApi,
  MetadataApi,
  SUPPORTED_APIS,
} from '../../protocol/messages';
import { BrokerState, handler, HandlerRegistration, OPERATIONS_NOT_REQUESTED } from '../handler';

const COORDINATOR_KEY_TYPE_GROUP = 0;

/** The supported-API list, as ApiVersions (and its KIP-511 fallback) reports it. */
export const advertisedApiKeys = SUPPORTED_APIS.map((api) => ({
  apiKey: api.key,
  minVersion: api.minVersion,
  maxVersion: api.maxVersion,
}));

export function clusterHandlers(broker: BrokerState): HandlerRegistration[] {
  const { logs, nodeId } = broker;

  const partitionsOf = (partitions: number) =>
    Array.from({ length: partitions }, (_, index) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: index,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    }));

  const describeTopic = (name: string, autoCreate: boolean) => {
    let errorCode: number = ErrorCode.NONE;
    if (!logs.topic(name) && autoCreate) {
      errorCode = logs.ensureTopic(name);
      if (errorCode === ErrorCode.NONE) broker.logger.info(`auto-created topic ${name}`);
    }
    const topic = logs.topic(name);
    return {
      errorCode: topic ? ErrorCode.NONE : errorCode || ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      name,
      isInternal: false,
      partitions: topic ? partitionsOf(topic.partitions) : [],
      topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
    };
  };

  return [
    handler(ApiVersionsApi, () => ({
      errorCode: ErrorCode.NONE,
      apiKeys: advertisedApiKeys,
      throttleTimeMs: 0,
    })),

    handler(MetadataApi, (request, call) => {
      // v0 asks for every topic with an empty list; later versions with null.
      const everyTopic =
        request.topics === null || (call.apiVersion === 0 && request.topics.length === 0);
      const names = everyTopic ? logs.topics() : request.topics!.map((topic) => topic.name);
      const autoCreate = !everyTopic && broker.autoCreateTopics && request.allowAutoTopicCreation;
      return {
        throttleTimeMs: 0,
        brokers: [
          { nodeId, host: broker.advertised.host, port: broker.advertised.port, rack: null },
        ],
        clusterId: broker.clusterId,
        controllerId: nodeId,
        topics: names.map((name) => describeTopic(name, autoCreate)),
        clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
      };
    }),

    handler(FindCoordinatorApi, (request) => {
      const supported = request.keyType === COORDINATOR_KEY_TYPE_GROUP;
      return {
        throttleTimeMs: 0,
        errorCode: supported ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE,
        errorMessage: supported ? null : 'transactions are not supported by the development broker',
        nodeId: supported ? nodeId : -1,
        host: supported ? broker.advertised.host : '',
        port: supported ? broker.advertised.port : -1,
      };
    }),

    handler(CreateTopicsApi, (request) => ({
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => {
        const { errorCode, errorMessage } = createTopic(broker, topic, request.validateOnly);
        return { name: topic.name, errorCode, errorMessage };
      }),
    })),

    handler(DeleteTopicsApi, (request) => ({
      throttleTimeMs: 0,
      responses: request.topicNames.map((name) => {
        const errorCode = logs.deleteTopic(name);
        if (errorCode === ErrorCode.NONE) {
          broker.groups.removeTopic(name);
          broker.logger.info(`deleted topic ${name}`);
        }
        return { name, errorCode };
      }),
    })),
  ];
}

type TopicToCreate = {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: { partitionIndex: number; brokerIds: number[] }[];
  configs: { name: string; value: string | null }[];
};

function createTopic(broker: BrokerState, topic: TopicToCreate, validateOnly: boolean) {
  const fail = (errorCode: number, errorMessage: string) => ({ errorCode, errorMessage });
  if (
    topic.replicationFactor !== -1 &&
    topic.replicationFactor !== 1 &&
    topic.assignments.length === 0
  ) {
    return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'a single-node broker keeps one replica');
  }
  let partitions = topic.numPartitions;
  if (topic.assignments.length > 0) {
    if (partitions !== -1 || topic.replicationFactor !== -1) {
      return fail(
        ErrorCode.INVALID_REQUEST,
        'give either assignments or partitions and replication factor',
      );
    }
    const elsewhere = topic.assignments.some((a) => a.brokerIds.some((id) => id !== broker.nodeId));
    if (elsewhere)
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `only broker ${broker.nodeId} exists`);
    partitions = topic.assignments.length;
  }
  const configs = Object.fromEntries(topic.configs.map((c) => [c.name, c.value ?? '']));
  const errorCode = broker.logs.createTopic(topic.name, partitions, configs, validateOnly);
  if (errorCode !== ErrorCode.NONE)
    return fail(errorCode, describeCreateError(errorCode, topic.name));
  if (!validateOnly) broker.logger.info(`created topic ${topic.name}`);
  return { errorCode, errorMessage: null };
}

function describeCreateError(errorCode: number, name: string): string {
  switch (errorCode) {
    case ErrorCode.TOPIC_ALREADY_EXISTS:
      return `topic ${name} already exists`;
    case ErrorCode.INVALID_TOPIC_EXCEPTION:
      return `illegal topic name ${JSON.stringify(name)}`;
    case ErrorCode.INVALID_PARTITIONS:
      return 'partitions must be between 1 and 10000';
    case ErrorCode.INVALID_CONFIG:
      return 'retention.ms, retention.bytes and segment.bytes must be integers';
    default:
      return `topic ${name} could not be created`;
  }
}
