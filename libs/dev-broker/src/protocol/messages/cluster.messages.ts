import { ApiKey, defineApi, throttleTimeMs } from '../api';
import { f } from '../schema';

export const ApiVersionsApi = defineApi({
  key: ApiKey.ApiVersions,
  name: 'ApiVersions',
  versions: [0, 3],
  flexibleSince: 3,
  request: {
    clientSoftwareName: f.string.since(3),
    clientSoftwareVersion: f.string.since(3),
  },
  response: {
    errorCode: f.int16,
    apiKeys: f.array(f.struct({ apiKey: f.int16, minVersion: f.int16, maxVersion: f.int16 })),
    throttleTimeMs: throttleTimeMs.since(1),
  },
});

const metadataPartition = f.struct({
  errorCode: f.int16,
  partitionIndex: f.int32,
  leaderId: f.int32,
  leaderEpoch: f.int32.since(7),
  replicaNodes: f.array(f.int32),
  isrNodes: f.array(f.int32),
  offlineReplicas: f.array(f.int32).since(5),
});

export const MetadataApi = defineApi({
  key: ApiKey.Metadata,
  name: 'Metadata',
  versions: [0, 8],
  request: {
    // v0 sends an empty array for "all topics"; v1+ sends null.
    topics: f.nullableArray(f.struct({ name: f.string })),
    allowAutoTopicCreation: f.boolean.since(4).otherwise(true),
    includeClusterAuthorizedOperations: f.boolean.since(8),
    includeTopicAuthorizedOperations: f.boolean.since(8),
  },
  response: {
    throttleTimeMs: throttleTimeMs.since(3),
    brokers: f.array(
      f.struct({ nodeId: f.int32, host: f.string, port: f.int32, rack: f.nullableString.since(1) }),
    ),
    clusterId: f.nullableString.since(2),
    controllerId: f.int32.since(1),
    topics: f.array(
      f.struct({
        errorCode: f.int16,
        name: f.string,
        isInternal: f.boolean.since(1),
        partitions: f.array(metadataPartition),
        topicAuthorizedOperations: f.int32.since(8),
      }),
    ),
    clusterAuthorizedOperations: f.int32.since(8),
  },
});

export const CreateTopicsApi = defineApi({
  key: ApiKey.CreateTopics,
  name: 'CreateTopics',
  versions: [0, 4],
  request: {
    topics: f.array(
      f.struct({
        name: f.string,
        numPartitions: f.int32,
        replicationFactor: f.int16,
        assignments: f.array(f.struct({ partitionIndex: f.int32, brokerIds: f.array(f.int32) })),
        configs: f.array(f.struct({ name: f.string, value: f.nullableString })),
      }),
    ),
    timeoutMs: f.int32,
    validateOnly: f.boolean.since(1),
  },
  response: {
    throttleTimeMs: throttleTimeMs.since(2),
    topics: f.array(
      f.struct({ name: f.string, errorCode: f.int16, errorMessage: f.nullableString.since(1) }),
    ),
  },
});

export const DeleteTopicsApi = defineApi({
  key: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  versions: [0, 3],
  request: { topicNames: f.array(f.string), timeoutMs: f.int32 },
  response: {
    throttleTimeMs: throttleTimeMs.since(1),
    responses: f.array(f.struct({ name: f.string, errorCode: f.int16 })),
  },
});

export const FindCoordinatorApi = defineApi({
  key: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  versions: [0, 2],
  request: { key: f.string, keyType: f.int8.since(1) },
  response: {
    throttleTimeMs: throttleTimeMs.since(1),
    errorCode: f.int16,
    errorMessage: f.nullableString.since(1),
    nodeId: f.int32,
    host: f.string,
    port: f.int32,
  },
});
