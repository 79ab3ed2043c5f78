import type { GroupCoordinator } from '../groups/group-coordinator';
import type { ApiDefinition, RequestOf, ResponseOf } from '../protocol/api';
import type { LogManager } from '../storage/log-manager';
import type { ProducerIdAllocator } from '../storage/producer-ids';
import type { BrokerLogger } from '../config';

/** What a handler may know about the call it serves. */
export interface CallContext {
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly clientHost: string;
}

/** Returned by a handler when the protocol wants no answer at all (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no response');

type Handle<A extends ApiDefinition> = (
  request: RequestOf<A>,
  call: CallContext,
) => ResponseOf<A> | Promise<ResponseOf<A>> | typeof NO_RESPONSE;

export interface HandlerRegistration {
  readonly api: ApiDefinition;
  readonly handle: Handle<ApiDefinition>;
}

/** Pairs an API with its handler, keeping request and response types tied together. */
export function handler<A extends ApiDefinition>(api: A, handle: Handle<A>): HandlerRegistration {
  return { api, handle: handle as unknown as Handle<ApiDefinition> };
}

/** The broker's parts, shared by every handler. */
export interface BrokerState {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly autoCreateTopics: boolean;
  /** Host and port written into Metadata and FindCoordinator answers; known once listening. */
  advertised: { host: string; port: number };
  readonly logs: LogManager;
  readonly groups: GroupCoordinator;
  readonly producerIds: ProducerIdAllocator;
  readonly logger: BrokerLogger;
  /** Resolves when the broker begins stopping, so long polls end at once. */
  readonly stopping: Promise<void>;
}

/** Kafka's "authorized operations not requested" sentinel (INT32_MIN). */
export const OPERATIONS_NOT_REQUESTED = -2147483648;
