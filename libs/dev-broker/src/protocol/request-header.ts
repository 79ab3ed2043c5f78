import { ApiDefinition, ApiKey } from './api';
import { Reader } from './reader';
import { encode } from './schema';
import { Writer } from './writer';

/** Fields every request header starts with, in every header version. */
export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/** Bytes of apiKey + apiVersion + correlationId: enough to answer even an unparseable request. */
export const FIXED_HEADER_BYTES = 8;

export function peekHeader(frame: Buffer): Omit<RequestHeader, 'clientId'> {
  return {
    apiKey: frame.readInt16BE(0),
    apiVersion: frame.readInt16BE(2),
    correlationId: frame.readInt32BE(4),
  };
}

/**
 * Reads the rest of a request header (v1, or v2 for flexible versions: the
 * client id stays a classic nullable string, followed by tagged fields).
 */
export function readClientId(reader: Reader, flexible: boolean): string | null {
  reader.offset = FIXED_HEADER_BYTES;
  const clientId = reader.nullableString();
  if (flexible) reader.skipTaggedFields();
  return clientId;
}

/** Frames a response: size prefix, response header, body. */
export function encodeResponse<T>(
  api: ApiDefinition,
  version: number,
  correlationId: number,
  body: T,
): Buffer[] {
  const flexible = version >= api.flexibleSince;
  const writer = new Writer();
  writer.int32(0).int32(correlationId);
  // ApiVersions always answers with header v0 so a client of any version can read it (KIP-511).
  if (flexible && api.key !== ApiKey.ApiVersions) writer.emptyTaggedFields();
  encode(api.response, writer, body as never, version, flexible);
  return withSizePrefix(writer);
}

/** The answer to an API key or version the broker does not advertise. */
export function unsupportedVersionResponse(correlationId: number, errorCode: number): Buffer[] {
  return withSizePrefix(new Writer().int32(0).int32(correlationId).int16(errorCode));
}

function withSizePrefix(writer: Writer): Buffer[] {
  const size = writer.length - 4;
  const buffers = writer.toBuffers();
  buffers[0].writeInt32BE(size, 0);
  return buffers;
}
