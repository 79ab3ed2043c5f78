import { setMaxListeners } from 'node:events';
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
  /**
   * Aborted when the broker begins stopping, so long polls end at once. A signal rather than a
   * promise: each waiting fetch removes its listener when it ends, where a `then` on a promise
   * that stays pending for the broker's life could never be taken back (about 1.7 kB held per
   * fetch that waited, measured with a 5 ms wait).
   */
  readonly stopping: AbortSignal;
}

/**
 * The controller of `BrokerState.stopping`. Its signal takes any number of listeners: every
 * fetch waiting at once listens to it, and Node warns of a leak past 10 by default.
 */
export function stopController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** Kafka's "authorized operations not requested" sentinel (INT32_MIN). */
export const OPERATIONS_NOT_REQUESTED = -2147483648;
