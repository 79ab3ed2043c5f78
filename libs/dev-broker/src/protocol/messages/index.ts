import { ApiDefinition } from '../api';
import {
  ApiVersionsApi,
  CreateTopicsApi,
  DeleteTopicsApi,
  FindCoordinatorApi,
  MetadataApi,
} from './cluster.messages';
import { FetchApi, ListOffsetsApi } from './fetch.messages';
import {
  DeleteGroupsApi,
  DescribeGroupsApi,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  SyncGroupApi,
} from './group.messages';
import { OffsetCommitApi, OffsetFetchApi } from './offset.messages';
import { InitProducerIdApi, ProduceApi } from './produce.messages';

export * from './cluster.messages';
export * from './fetch.messages';
export * from './group.messages';
export * from './offset.messages';
export * from './produce.messages';

/** Every API the broker advertises in ApiVersions, in key order. */
export const SUPPORTED_APIS: readonly ApiDefinition[] = [
  ProduceApi,
  FetchApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  FindCoordinatorApi,
  JoinGroupApi,
  HeartbeatApi,
  LeaveGroupApi,
  SyncGroupApi,
  DescribeGroupsApi,
  ListGroupsApi,
  ApiVersionsApi,
  CreateTopicsApi,
  DeleteTopicsApi,
  InitProducerIdApi,
  DeleteGroupsApi,
] as ApiDefinition[];
