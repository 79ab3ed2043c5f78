import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted (recursively) and no insignificant whitespace, so that two
 * serialisations of the same value are equal. Arrays keep their order. Works on what
 * `JSON.parse` produces (plain objects, arrays, strings, finite numbers, booleans, null).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The parts of a request that decide whether a retry is "the same request". */
export interface FingerprintedRequest {
  readonly method: string;
  /** The concrete request target: path and query string as sent (`/orders/42?dryRun=true`). */
  readonly target: string;
  /** The parsed JSON body, `undefined` when the request had none. */
  readonly body: unknown;
}

/**
 * SHA-256 (hex) over the method, the concrete target and the canonical JSON of the parsed
 * body. The parsed body rather than `req.rawBody`: the kit only accepts JSON, and a client
 * that re-serialises its payload on retry (other key order or whitespace, another SDK
 * version) is sending the same request; fingerprinting what the handler will act upon
 * avoids false "key reused" answers for those retries.
 */
export function requestFingerprint(request: FingerprintedRequest): string {
  const body = request.body === undefined ? '' : `json:${canonicalJson(request.body)}`;
  return createHash('sha256')
    .update(`${request.method.toUpperCase()} ${request.target}\n${body}`, 'utf8')
    .digest('hex');
}
