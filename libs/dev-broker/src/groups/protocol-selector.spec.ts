import type { GroupProtocol } from './group-api.types';
import { GroupMember } from './group-member';
import { joinRequest } from './group-test.helpers';
import { acceptsProtocols, selectProtocol } from './protocol-selector';

const protocols = (...names: string[]): GroupProtocol[] =>
  names.map((name) => ({ name, metadata: Buffer.from(name) }));
const member = (...names: string[]) =>
  new GroupMember(
    `m-${names.join('-')}`,
    joinRequest({ protocols: protocols(...names) }),
    () => undefined,
  );

describe('selectProtocol', () => {
  it('counts each member’s most preferred shared protocol', () => {
    expect(
      selectProtocol([
        member('range', 'roundrobin'),
        member('roundrobin', 'range'),
        member('roundrobin'),
      ]),
    ).toBe('roundrobin');
  });

  it('ignores favourites some member does not support', () => {
    expect(
      selectProtocol([member('sticky', 'range'), member('sticky', 'range'), member('range')]),
    ).toBe('range');
  });

  it('breaks ties by the first member’s preference', () => {
    expect(selectProtocol([member('b', 'a'), member('a', 'b')])).toBe('b');
    expect(selectProtocol([member('a', 'b'), member('b', 'a')])).toBe('a');
  });

  it('refuses members without a shared protocol', () => {
    expect(() => selectProtocol([member('a'), member('b')])).toThrow('share no protocol');
  });
});

describe('acceptsProtocols', () => {
  it('needs a protocol type, a protocol, the group’s type and one protocol every other member has', () => {
    const others = [member('range', 'roundrobin'), member('roundrobin')];
    expect(
      acceptsProtocols(others, 'consumer', 'consumer', protocols('sticky', 'roundrobin')),
    ).toBe(true);
    expect(acceptsProtocols(others, 'consumer', 'consumer', protocols('range'))).toBe(false);
    expect(acceptsProtocols(others, 'consumer', 'connect', protocols('roundrobin'))).toBe(false);
    expect(acceptsProtocols([], null, 'consumer', [])).toBe(false);
    expect(acceptsProtocols([], null, '', protocols('range'))).toBe(false);
    expect(acceptsProtocols([], null, 'anything', protocols('x'))).toBe(true);
  });
});
