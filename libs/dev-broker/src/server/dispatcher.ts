import { ApiKey } from '../protocol/api';
import { ErrorCode } from '../protocol/error-codes';
import { ApiVersionsApi } from '../protocol/messages';
import { Reader } from '../protocol/reader';
import {
  encodeResponse,
  FIXED_HEADER_BYTES,
  peekHeader,
  readClientId,
  unsupportedVersionResponse,
} from '../protocol/request-header';
import { decode } from '../protocol/schema';
import { MalformedFrameError } from '../protocol/reader';
import { advertisedApiKeys } from './handlers/cluster.handlers';
import { CallContext, HandlerRegistration, NO_RESPONSE } from './handler';

/** What one frame turns into: the response buffers, or nothing to send. */
export type DispatchResult = Buffer[] | null;

/**
 * Decodes a request frame, runs its handler and encodes the answer. Requests
 * for APIs or versions the broker does not advertise are answered with
 * UNSUPPORTED_VERSION rather than dropped, so no client waits forever.
 */
export class Dispatcher {
  private readonly byKey = new Map<number, HandlerRegistration>();

  constructor(registrations: HandlerRegistration[]) {
    for (const registration of registrations) this.byKey.set(registration.api.key, registration);
  }

  dispatch(frame: Buffer, clientHost: string): DispatchResult | Promise<DispatchResult> {
    if (frame.length < FIXED_HEADER_BYTES)
      throw new MalformedFrameError('frame shorter than a request header');
    const { apiKey, apiVersion, correlationId } = peekHeader(frame);
    const registration = this.byKey.get(apiKey);
    const { api } = registration ?? {};
    if (!registration || !api || apiVersion < api.minVersion || apiVersion > api.maxVersion) {
      return this.unsupported(apiKey, correlationId);
    }
    const flexible = apiVersion >= api.flexibleSince;
    const reader = new Reader(frame);
    const call: CallContext = { apiVersion, clientId: readClientId(reader, flexible), clientHost };
    const request = decode(api.request, reader, apiVersion, flexible);
    const result = registration.handle(request, call);
    const respond = (body: unknown): DispatchResult =>
      body === NO_RESPONSE ? null : encodeResponse(api, apiVersion, correlationId, body);
    return result instanceof Promise ? result.then(respond) : respond(result);
  }

  private unsupported(apiKey: number, correlationId: number): DispatchResult {
    if (apiKey === ApiKey.ApiVersions) {
      // KIP-511: answer in v0 so the client learns which versions to retry with.
      return encodeResponse(ApiVersionsApi, 0, correlationId, {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        apiKeys: advertisedApiKeys,
        throttleTimeMs: 0,
      });
    }
    return unsupportedVersionResponse(correlationId, ErrorCode.UNSUPPORTED_VERSION);
  }
}
