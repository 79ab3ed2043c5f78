import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import {
  ADVERTISED_VERSIONS,
  API_VERSIONS_KEY,
  apiVersionsRequest,
  decodeApiVersionsResponse,
} from './testing/api-versions.wire';
import { fastConsumerConfig } from './testing/consume-messages';
import { delay, eventually } from './testing/eventually';
import { startTestBroker, type TestBroker } from './testing/in-process-broker';
import { createKafka } from './testing/kafka-client';
import { frameRequest, RawKafkaSocket } from './testing/raw-kafka-socket';
import { WireWriter } from './testing/wire-codec';

// Hand-built frames probe what no well-behaved client sends: version negotiation edge
// cases and malformed input. A development broker is shared by every service on a
// machine, so one bad connection must never take the others down.

const UNSUPPORTED_VERSION = 35;
const MAX_FRAME_BYTES = 1024 * 1024;

describe('dev broker wire robustness', () => {
  let testBroker: TestBroker;
  let kafka: Kafka;
  let producer: Producer;
  let consumer: Consumer;
  const topic = `robust-${randomUUID().slice(0, 8)}`;
  const consumed: string[] = [];
  const sockets: RawKafkaSocket[] = [];

  const open = async (): Promise<RawKafkaSocket> => {
    const socket = await RawKafkaSocket.open('127.0.0.1', testBroker.broker.port);
    sockets.push(socket);
    return socket;
  };

  /** The long-lived kafkajs connections must still produce and consume after each abuse. */
  const expectKafkajsStillServed = async (label: string): Promise<void> => {
    await producer.send({ topic, messages: [{ value: label }] });
    await eventually(
      `kafkajs consumer receives "${label}"`,
      () => consumed.includes(label),
      15_000,
    );
  };

  const expectApiVersionsAnswered = async (
    socket: RawKafkaSocket,
    correlationId: number,
  ): Promise<void> => {
    const answer = decodeApiVersionsResponse(
      await socket.request(apiVersionsRequest(0, correlationId)),
      0,
    );
    expect({ correlationId: answer.correlationId, errorCode: answer.errorCode }).toEqual({
      correlationId,
      errorCode: 0,
    });
  };

  beforeAll(async () => {
    testBroker = await startTestBroker({ maxFrameBytes: MAX_FRAME_BYTES });
    kafka = createKafka(testBroker.address, 'robustness-int-spec');
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({
      groupId: `robust-g-${randomUUID().slice(0, 8)}`,
      ...fastConsumerConfig,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void consumed.push(String(message.value)),
    });
    await expectKafkajsStillServed('warm-up');
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await consumer?.disconnect();
    await producer?.disconnect();
    await testBroker?.stop();
  });

  describe('ApiVersions', () => {
    it.each([0, 1, 2, 3])(
      'answers v%i with exactly the advertised version ranges',
      async (version) => {
        const socket = await open();
        const answer = decodeApiVersionsResponse(
          await socket.request(apiVersionsRequest(version, 700 + version)),
          version,
        );

        expect({
          correlationId: answer.correlationId,
          errorCode: answer.errorCode,
          trailingBytes: answer.trailingBytes,
        }).toEqual({ correlationId: 700 + version, errorCode: 0, trailingBytes: 0 });
        expect(answer.apiKeys).toEqual(ADVERTISED_VERSIONS);
        if (version >= 1) expect(answer.throttleTimeMs).toBe(0);
      },
    );

    it('answers a version newer than it knows (v9) in the v0 layout with UNSUPPORTED_VERSION and its ranges', async () => {
      const socket = await open();
      // A future client sends its newest, flexible request; the broker cannot read that body.
      const answer = decodeApiVersionsResponse(await socket.request(apiVersionsRequest(9, 42)), 0);

      expect({
        correlationId: answer.correlationId,
        errorCode: answer.errorCode,
        trailingBytes: answer.trailingBytes,
      }).toEqual({ correlationId: 42, errorCode: UNSUPPORTED_VERSION, trailingBytes: 0 });
      expect(answer.apiKeys.get(API_VERSIONS_KEY)).toEqual({ min: 0, max: 3 });
      expect(answer.apiKeys).toEqual(ADVERTISED_VERSIONS);
      await expectApiVersionsAnswered(socket, 43);
    });

    it('answers pipelined requests in order and a request that arrives in pieces', async () => {
      const socket = await open();
      socket.write(
        Buffer.concat([
          frameRequest(apiVersionsRequest(0, 1)),
          frameRequest(apiVersionsRequest(3, 2)),
        ]),
      );
      expect(decodeApiVersionsResponse(await socket.nextFrame(), 0).correlationId).toBe(1);
      expect(decodeApiVersionsResponse(await socket.nextFrame(), 3).correlationId).toBe(2);

      // Cuts inside the size prefix, the header and the body: the broker must reassemble.
      const frame = frameRequest(apiVersionsRequest(3, 3));
      const cuts = [0, 2, 5, 11, frame.length - 1, frame.length];
      for (let i = 0; i + 1 < cuts.length; i++) {
        socket.write(frame.subarray(cuts[i], cuts[i + 1]));
        await delay(20);
      }
      const answer = decodeApiVersionsResponse(await socket.nextFrame(), 3);
      expect({ correlationId: answer.correlationId, errorCode: answer.errorCode }).toEqual({
        correlationId: 3,
        errorCode: 0,
      });
    });
  });

  describe('requests it does not support', () => {
    it.each([
      { name: 'an unknown API key (32000)', apiKey: 32_000, apiVersion: 0, body: Buffer.alloc(0) },
      // Produce v0: acks 1, timeout 1000 ms, no topics. Only v3+ is advertised.
      {
        name: 'an unadvertised version (Produce v0)',
        apiKey: 0,
        apiVersion: 0,
        body: new WireWriter().int16(1).int32(1_000).int32(0).toBuffer(),
      },
      {
        name: 'a version above the advertised range (Metadata v99)',
        apiKey: 3,
        apiVersion: 99,
        body: Buffer.alloc(0),
      },
    ])(
      'answers $name with the correlation id and UNSUPPORTED_VERSION, keeping the connection',
      async ({ apiKey, apiVersion, body }) => {
        const socket = await open();
        const frame = await socket.request({ apiKey, apiVersion, correlationId: 9_001, body });

        expect({
          length: frame.length,
          correlationId: frame.readInt32BE(0),
          errorCode: frame.readInt16BE(4),
        }).toEqual({
          length: 6,
          correlationId: 9_001,
          errorCode: UNSUPPORTED_VERSION,
        });
        await expectApiVersionsAnswered(socket, 9_002);
      },
    );
  });

  describe('malformed input', () => {
    it.each([
      // Size 3: not even room for api key, version and correlation id.
      {
        name: 'a frame too short for a request header',
        bytes: Buffer.from([0, 0, 0, 3, 0, API_VERSIONS_KEY, 0]),
      },
      // The client id claims 1000 bytes but the frame ends after 4 of them.
      {
        name: 'a header whose client id overruns the frame',
        bytes: new WireWriter()
          .int32(14)
          .int16(API_VERSIONS_KEY)
          .int16(0)
          .int32(5)
          .int16(1_000)
          .raw(Buffer.from('abcd'))
          .toBuffer(),
      },
      {
        name: 'a negative size prefix',
        bytes: new WireWriter().int32(-5).raw(Buffer.from('junk')).toBuffer(),
      },
      // Only the size is sent: the broker must refuse before buffering 1 MiB + 1 byte.
      {
        name: 'a size above maxFrameBytes',
        bytes: new WireWriter().int32(MAX_FRAME_BYTES + 1).toBuffer(),
      },
    ])(
      'closes the connection that sent $name and keeps serving the others',
      async ({ name, bytes }) => {
        const bystander = await open();
        const offender = await open();
        offender.write(bytes);

        await offender.waitForClose();
        expect(bystander.isClosed).toBe(false);
        await expectApiVersionsAnswered(bystander, 77);
        await expectKafkajsStillServed(`after ${name}`);
      },
    );

    it('is not disturbed by a connection that sends half a frame and hangs up', async () => {
      const quitter = await open();
      const frame = frameRequest(apiVersionsRequest(3, 5));
      quitter.write(frame.subarray(0, Math.floor(frame.length / 2)));
      quitter.end();

      await expectApiVersionsAnswered(await open(), 6);
      await expectKafkajsStillServed('after half a frame');
    });
  });
});
