import { FrameDecoder, FrameSizeError } from './frame-decoder';

const frame = (payload: string) => {
  const body = Buffer.from(payload);
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
};

describe('FrameDecoder', () => {
  it('splits several frames arriving in one chunk', () => {
    const frames = new FrameDecoder(1024).push(Buffer.concat([frame('one'), frame('two')]));
    expect(frames.map(String)).toEqual(['one', 'two']);
  });

  it('reassembles a frame split at every byte', () => {
    const decoder = new FrameDecoder(1024);
    const bytes = Buffer.concat([frame('hello'), frame('')]);
    const frames = [...bytes].flatMap((byte) => decoder.push(Buffer.from([byte])));
    expect(frames.map(String)).toEqual(['hello', '']);
  });

  it('refuses negative and oversized frame sizes', () => {
    const negative = Buffer.from([0xff, 0xff, 0xff, 0xfe]);
    expect(() => new FrameDecoder(1024).push(negative)).toThrow(FrameSizeError);
    expect(() => new FrameDecoder(4).push(frame('too long'))).toThrow(FrameSizeError);
  });
});
