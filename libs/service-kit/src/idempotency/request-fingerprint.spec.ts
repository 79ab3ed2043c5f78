import { canonicalJson, requestFingerprint } from './request-fingerprint';

describe('request fingerprint', () => {
  it('writes objects with sorted keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'x' }], c: true } })).toBe(
      '{"a":{"c":true,"d":[3,{"y":"x","z":null}]},"b":1}',
    );
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(canonicalJson('quote " and \u00e9')).toBe('"quote \\" and \u00e9"');
    expect(canonicalJson({ 'a"b': 1 })).toBe('{"a\\"b":1}');
  });

  it('is the same for serialisations of one value and differs for different values', () => {
    const fingerprint = (json: string, target = '/orders') =>
      requestFingerprint({ method: 'POST', target, body: JSON.parse(json) });
    const base = fingerprint('{"reference":"R-1","lines":[{"sku":"A","quantity":1}]}');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(
      fingerprint('{ "lines": [ { "quantity": 1, "sku": "A" } ],\n "reference": "R-1" }'),
    ).toBe(base);
    expect(fingerprint('{"reference":"R-1","lines":[{"sku":"A","quantity":2}]}')).not.toBe(base);
    expect(fingerprint('{"reference":"R-1","lines":[{"sku":"A","quantity":1}],"x":null}')).not.toBe(
      base,
    );
  });

  it('includes the method, the concrete path and query, and whether there was a body', () => {
    const of = (method: string, target: string, body: unknown) =>
      requestFingerprint({ method, target, body });
    const base = of('POST', '/orders/1/cancel', { reason: 'late' });
    expect(of('post', '/orders/1/cancel', { reason: 'late' })).toBe(base);
    expect(of('PUT', '/orders/1/cancel', { reason: 'late' })).not.toBe(base);
    expect(of('POST', '/orders/2/cancel', { reason: 'late' })).not.toBe(base);
    expect(of('POST', '/orders/1/cancel?dryRun=true', { reason: 'late' })).not.toBe(base);
    expect(of('POST', '/orders', undefined)).not.toBe(of('POST', '/orders', null));
    expect(of('POST', '/orders', undefined)).not.toBe(of('POST', '/orders', {}));
  });
});
