import { parseIdempotencyKey } from './idempotency-key';

describe('Idempotency-Key header', () => {
  it('accepts 1 to 255 printable ASCII characters as they are', () => {
    expect(parseIdempotencyKey('a')).toEqual({ kind: 'valid', key: 'a' });
    const uuid = '8e03978e-40d5-43e8-bc93-6894a57f9324';
    expect(parseIdempotencyKey(uuid)).toEqual({ kind: 'valid', key: uuid });
    expect(parseIdempotencyKey('"quoted key" ~!')).toEqual({
      kind: 'valid',
      key: '"quoted key" ~!',
    });
    expect(parseIdempotencyKey('k'.repeat(255))).toEqual({ kind: 'valid', key: 'k'.repeat(255) });
  });

  it('tells an absent header from an invalid one, with a reason', () => {
    expect(parseIdempotencyKey(undefined)).toEqual({ kind: 'absent' });
    const reasonOf = (value: string | string[]) => {
      const parsed = parseIdempotencyKey(value);
      return parsed.kind === 'invalid' ? parsed.reason : `accepted as ${parsed.kind}`;
    };
    expect(reasonOf('')).toMatch(/empty/);
    expect(reasonOf('k'.repeat(256))).toMatch(/at most 255/);
    expect(reasonOf('cl\u00e9')).toMatch(/printable ASCII/);
    expect(reasonOf('tab\there')).toMatch(/printable ASCII/);
    expect(reasonOf('del\u007f')).toMatch(/printable ASCII/);
    expect(reasonOf(['a', 'b'])).toMatch(/once/);
  });
});
