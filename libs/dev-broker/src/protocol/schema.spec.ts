import { MetadataApi, OffsetCommitApi, ProduceApi } from './messages';
import { Reader } from './reader';
import { decode, encode, f } from './schema';
import { Writer } from './writer';

function roundTrip<T>(
  field: Parameters<typeof encode<T>>[0],
  value: T,
  version: number,
  flexible = false,
): T {
  const writer = new Writer();
  encode(field, writer, value, version, flexible);
  return decode(field, new Reader(Buffer.concat(writer.toBuffers())), version, flexible);
}

describe('message schema codec', () => {
  const metadataRequest = {
    topics: [{ name: 'orders.events' }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };

  it('writes a field only in the versions it exists in', () => {
    const v0 = new Writer();
    encode(MetadataApi.request, v0, metadataRequest, 0, false);
    const v4 = new Writer();
    encode(MetadataApi.request, v4, metadataRequest, 4, false);
    // v4 adds allow_auto_topic_creation: one boolean byte more.
    expect(v4.length - v0.length).toBe(1);
  });

  it('gives absent fields their documented fallback when decoding older versions', () => {
    const decoded = roundTrip(
      MetadataApi.request,
      { ...metadataRequest, allowAutoTopicCreation: false },
      1,
    );
    expect(decoded.allowAutoTopicCreation).toBe(true);
    expect(decoded.topics).toEqual([{ name: 'orders.events' }]);
  });

  it('round-trips nested arrays, int64 and nullable strings', () => {
    const request = {
      groupId: 'billing',
      generationId: 7,
      memberId: 'm-1',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 2,
              committedOffset: 2 ** 40 + 5,
              committedLeaderEpoch: -1,
              commitTimestamp: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    };
    expect(roundTrip(OffsetCommitApi.request, request, 7)).toEqual(request);
  });

  it('encodes flexible versions with compact lengths and tagged fields', () => {
    const field = f.struct({ name: f.string, items: f.array(f.int32) });
    const writer = new Writer();
    encode(field, writer, { name: 'ab', items: [1] }, 3, true);
    const bytes = Buffer.concat(writer.toBuffers());
    // name: uvarint(2+1) 'a' 'b'; items: uvarint(1+1) int32; struct tagged fields: 0
    expect([...bytes]).toEqual([3, 0x61, 0x62, 2, 0, 0, 0, 1, 0]);
    expect(roundTrip(field, { name: 'ab', items: [1] }, 3, true)).toEqual({
      name: 'ab',
      items: [1],
    });
  });

  it('keeps record batches as views on the frame instead of copying them', () => {
    const records = Buffer.alloc(8 * 1024, 7);
    const writer = new Writer();
    const request = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topics: [{ name: 't', partitions: [{ index: 0, records }] }],
    };
    encode(ProduceApi.request, writer, request, 3, false);
    const frame = Buffer.concat(writer.toBuffers());
    const decoded = decode(ProduceApi.request, new Reader(frame), 3, false);
    const decodedRecords = decoded.topics[0].partitions[0].records!;
    expect(decodedRecords.equals(records)).toBe(true);
    expect(decodedRecords.buffer).toBe(frame.buffer);
  });

  it('rejects a truncated frame instead of reading past its end', () => {
    const writer = new Writer();
    encode(MetadataApi.request, writer, metadataRequest, 4, false);
    const frame = Buffer.concat(writer.toBuffers());
    expect(() =>
      decode(MetadataApi.request, new Reader(frame.subarray(0, frame.length - 3)), 4, false),
    ).toThrow(/truncated/);
  });

  it('rejects an array length larger than the frame', () => {
    const frame = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    expect(() => decode(f.array(f.int32), new Reader(frame), 0, false)).toThrow(/exceeds frame/);
  });
});
