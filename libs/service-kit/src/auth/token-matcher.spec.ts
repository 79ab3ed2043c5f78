import { TokenMatcher, bearerToken, missingScopes } from './token-matcher';

describe('bearer tokens and scopes', () => {
  const matcher = new TokenMatcher([
    { caller: 'storefront', token: 'storefront-token-0001', scopes: ['orders:read'] },
    { caller: 'pos', token: 'pos-token-00000000002', scopes: ['orders:read', 'orders:write'] },
  ]);

  it('finds the caller of a configured token and nothing for others', () => {
    expect(matcher.match('pos-token-00000000002')?.caller).toBe('pos');
    expect(matcher.match('storefront-token-0001')?.caller).toBe('storefront');
    expect(matcher.match('pos-token-0000000000')).toBeUndefined();
    expect(matcher.match('pos-token-000000000022')).toBeUndefined();
    expect(matcher.match('')).toBeUndefined();
    expect(new TokenMatcher([]).match('anything-at-all-123')).toBeUndefined();
  });

  it('reads the token of a Bearer authorization header only', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('lists the required scopes a caller lacks', () => {
    expect(missingScopes(['orders:read'], [])).toEqual([]);
    expect(missingScopes(['orders:read', 'orders:write'], ['orders:write'])).toEqual([]);
    expect(missingScopes(['orders:read'], ['orders:write', 'orders:read'])).toEqual([
      'orders:write',
    ]);
    expect(missingScopes([], ['a', 'b'])).toEqual(['a', 'b']);
  });
});
