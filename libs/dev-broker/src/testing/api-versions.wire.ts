import type { RawRequest } from './raw-kafka-socket';
import { WireReader, WireWriter } from './wire-codec';

export const API_VERSIONS_KEY = 18;

export interface ApiVersionRange {
  readonly min: number;
  readonly max: number;
}

export interface ApiVersionsAnswer {
  readonly correlationId: number;
  readonly errorCode: number;
  readonly apiKeys: ReadonlyMap<number, ApiVersionRange>;
  readonly throttleTimeMs?: number;
  /** Bytes left after the fields we know; must be 0 for a well-formed answer. */
  readonly trailingBytes: number;
}

/**
 * An ApiVersions request. From v3 on the request is flexible: header v2 and a body with
 * the client software name and version as compact strings plus a tagged-field section.
 */
export function apiVersionsRequest(apiVersion: number, correlationId: number): RawRequest {
  if (apiVersion < 3) return { apiKey: API_VERSIONS_KEY, apiVersion, correlationId };
  const body = new WireWriter()
    .compactString('dev-broker-raw-test')
    .compactString('1.0.0')
    .emptyTaggedFields()
    .toBuffer();
  return { apiKey: API_VERSIONS_KEY, apiVersion, correlationId, flexibleHeader: true, body };
}

/**
 * Reads an ApiVersions response in the layout of `bodyVersion`. The response header is
 * v0 (correlation id only) for every version: clients must read it before they know
 * whether the broker understood their version.
 */
export function decodeApiVersionsResponse(frame: Buffer, bodyVersion: number): ApiVersionsAnswer {
  const reader = new WireReader(frame);
  const correlationId = reader.int32();
  const errorCode = reader.int16();
  const flexible = bodyVersion >= 3;
  const count = flexible ? reader.unsignedVarint() - 1 : reader.int32();
  const apiKeys = new Map<number, ApiVersionRange>();
  for (let i = 0; i < count; i++) {
    const apiKey = reader.int16();
    const min = reader.int16();
    const max = reader.int16();
    if (flexible) reader.skipTaggedFields();
    apiKeys.set(apiKey, { min, max });
  }
  const throttleTimeMs = bodyVersion >= 1 ? reader.int32() : undefined;
  if (flexible) reader.skipTaggedFields();
  return { correlationId, errorCode, apiKeys, throttleTimeMs, trailingBytes: reader.remaining };
}

/** The versions the development broker promises to speak (its README / brief). */
export const ADVERTISED_VERSIONS: ReadonlyMap<number, ApiVersionRange> = new Map([
  [0, { min: 3, max: 8 }], // Produce
  [1, { min: 4, max: 11 }], // Fetch
  [2, { min: 0, max: 5 }], // ListOffsets
  [3, { min: 0, max: 8 }], // Metadata
  [8, { min: 0, max: 7 }], // OffsetCommit
  [9, { min: 0, max: 5 }], // OffsetFetch
  [10, { min: 0, max: 2 }], // FindCoordinator
  [11, { min: 0, max: 5 }], // JoinGroup
  [12, { min: 0, max: 3 }], // Heartbeat
  [13, { min: 0, max: 3 }], // LeaveGroup
  [14, { min: 0, max: 3 }], // SyncGroup
  [15, { min: 0, max: 4 }], // DescribeGroups
  [16, { min: 0, max: 2 }], // ListGroups
  [18, { min: 0, max: 3 }], // ApiVersions
  [19, { min: 0, max: 4 }], // CreateTopics
  [20, { min: 0, max: 3 }], // DeleteTopics
  [22, { min: 0, max: 1 }], // InitProducerId
  [42, { min: 0, max: 1 }], // DeleteGroups
]);
