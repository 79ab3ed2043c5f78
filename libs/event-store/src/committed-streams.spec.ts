import { CommittedStreams } from './committed-streams';

const decider = {};
const at = (version: number) => ({ state: { version }, version, lastEventId: `event-${version}` });

describe('CommittedStreams', () => {
  it('lets the least recently used stream go when full', () => {
    const streams = new CommittedStreams(2);
    streams.remember(undefined, 'a', decider, at(1));
    streams.remember(undefined, 'b', decider, at(1));
    expect(streams.get('a', decider)).toEqual(at(1)); // a is now the most recently used
    streams.remember(undefined, 'c', decider, at(1));
    expect(streams.get('b', decider)).toBeUndefined();
    expect(streams.get('a', decider)).toEqual(at(1));
    expect(streams.get('c', decider)).toEqual(at(1));
  });

  it('keeps the later of two versions, and nothing for another decider', () => {
    const streams = new CommittedStreams(10);
    streams.remember(undefined, 'a', decider, at(3));
    streams.remember(undefined, 'a', decider, at(2));
    expect(streams.get('a', decider)).toEqual(at(3));
    expect(streams.get('a', {})).toBeUndefined();
    streams.forget(undefined, 'a');
    expect(streams.get('a', decider)).toBeUndefined();
  });

  it('keeps nothing from a connection outside a withTransaction transaction, without a last event, or when off', () => {
    const streams = new CommittedStreams(10);
    streams.remember({ query: () => undefined }, 'a', decider, at(1));
    expect(streams.get('a', decider)).toBeUndefined();
    // A stream with events whose last one it does not know (loaded from a snapshot alone).
    streams.remember(undefined, 'b', decider, { state: {}, version: 2 });
    expect(streams.get('b', decider)).toBeUndefined();
    streams.remember(undefined, 'empty', decider, { state: {}, version: 0 });
    expect(streams.get('empty', decider)).toEqual({ state: {}, version: 0 });
    const off = new CommittedStreams(0);
    off.remember(undefined, 'a', decider, at(1));
    expect(off.get('a', decider)).toBeUndefined();
  });
});
