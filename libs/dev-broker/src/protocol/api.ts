import { f, Field, InferStruct } from './schema';

type Fields = Readonly<Record<string, Field<unknown>>>;

/** Kafka API keys the broker implements (wire values from the protocol guide). */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  DeleteGroups: 42,
} as const;

/** One API: the versions the broker advertises and the shape of its messages. */
export interface ApiDefinition<Req extends Fields = Fields, Res extends Fields = Fields> {
  readonly key: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version (compact encodings, tagged fields); Infinity when none is advertised. */
  readonly flexibleSince: number;
  readonly request: Field<InferStruct<Req>>;
  readonly response: Field<InferStruct<Res>>;
}

export type RequestOf<A> = A extends ApiDefinition<infer Req, Fields> ? InferStruct<Req> : never;
export type ResponseOf<A> = A extends ApiDefinition<Fields, infer Res> ? InferStruct<Res> : never;

export function defineApi<Req extends Fields, Res extends Fields>(spec: {
  key: number;
  name: string;
  versions: [number, number];
  flexibleSince?: number;
  request: Req;
  response: Res;
}): ApiDefinition<Req, Res> {
  return {
    key: spec.key,
    name: spec.name,
    minVersion: spec.versions[0],
    maxVersion: spec.versions[1],
    flexibleSince: spec.flexibleSince ?? Infinity,
    request: f.struct(spec.request),
    response: f.struct(spec.response),
  };
}

/** throttle_time_ms: the broker never throttles, but most responses carry the field. */
export const throttleTimeMs = f.int32;
