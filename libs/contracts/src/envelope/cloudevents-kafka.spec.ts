import { ContractViolationError } from '../events/contract-violation.error';
import { EVENT_CONTRACTS, IntegrationEvent } from '../events/event-registry';
import { EVENT_SAMPLES, sampleEvent } from '../fixtures/event-samples.fixture';
import {
  fromKafkaMessage,
  peekEventType,
  isIntegrationMessageError,
  KafkaIncomingMessage,
  toKafkaMessage,
} from './cloudevents-kafka';
import { EnvelopeError } from './envelope.error';

const context = {
  id: 'evt-1',
  time: '2026-11-23T08:00:00.123Z',
  correlationId: 'corr-1',
  causationId: 'cmd-1',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};

const placed = sampleEvent('fulfil.orders.OrderPlaced', 1);

/** What kafkajs hands a consumer: every header value a Buffer. */
function asConsumed(event: IntegrationEvent = placed): KafkaIncomingMessage & {
  headers: Record<string, Buffer>;
} {
  const message = toKafkaMessage(event, context);
  const headers = Object.fromEntries(
    Object.entries(message.headers).map(([name, value]) => [name, Buffer.from(value)]),
  );
  return { key: Buffer.from(message.key), value: message.value, headers };
}

function rejection(message: KafkaIncomingMessage): EnvelopeError | ContractViolationError {
  try {
    fromKafkaMessage(message);
  } catch (error) {
    if (isIntegrationMessageError(error)) return error;
    throw error;
  }
  throw new Error('expected the message to be rejected');
}

function without(name: string): KafkaIncomingMessage {
  const message = asConsumed();
  delete message.headers[name];
  return message;
}

describe('toKafkaMessage', () => {
  it('writes the CloudEvents binary-mode headers, keyed by the aggregate id', () => {
    const message = toKafkaMessage(placed, context);
    expect(message.key).toBe('ord-1');
    expect(JSON.parse(message.value.toString('utf8'))).toEqual(
      EVENT_SAMPLES['fulfil.orders.OrderPlaced@1'],
    );
    expect(message.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'evt-1',
      ce_type: 'fulfil.orders.OrderPlaced.v1',
      ce_source: '/fulfil/orders',
      ce_subject: 'ord-1',
      ce_time: '2026-11-23T08:00:00.123Z',
      'content-type': 'application/json',
      ce_correlationid: 'corr-1',
      ce_causationid: 'cmd-1',
      traceparent: context.traceparent,
    });
  });

  it('refuses data that fails its schema, and a malformed context', () => {
    const bad = { ...placed, data: { ...placed.data, orderId: '' } } as IntegrationEvent;
    expect(() => toKafkaMessage(bad, context)).toThrow(ContractViolationError);
    expect(() => toKafkaMessage(placed, { ...context, time: '2026-11-23 08:00' })).toThrow(
      'ENVELOPE.INVALID_HEADER: ce_time',
    );
    expect(() => toKafkaMessage(placed, { ...context, correlationId: ' ' })).toThrow(
      'ENVELOPE.MISSING_HEADER: ce_correlationid',
    );
    expect(() => toKafkaMessage(placed, { ...context, traceparent: 'nope' })).toThrow(
      'ENVELOPE.INVALID_HEADER: traceparent',
    );
  });
});

describe('fromKafkaMessage', () => {
  it.each(EVENT_CONTRACTS.map((c) => [`${c.type}@${c.version}`, c] as const))(
    'round-trips %s',
    (_, c) => {
      const event = sampleEvent(c.type, c.version);
      const received = fromKafkaMessage(asConsumed(event));
      expect(received.event).toEqual(event);
      expect(received.envelope).toMatchObject({
        id: 'evt-1',
        type: `${c.type}.v${c.version}`,
        source: `/fulfil/${c.service}`,
        correlationId: 'corr-1',
        causationId: 'cmd-1',
      });
    },
  );

  it('accepts string headers and keys and a JSON value given as a string', () => {
    const message = toKafkaMessage(placed, { id: 'e', time: context.time, correlationId: 'c' });
    const received = fromKafkaMessage({ ...message, value: message.value.toString('utf8') });
    expect(received.envelope).toEqual({
      specversion: '1.0',
      id: 'e',
      type: 'fulfil.orders.OrderPlaced.v1',
      source: '/fulfil/orders',
      subject: 'ord-1',
      time: context.time,
      datacontenttype: 'application/json',
      correlationId: 'c',
    });
  });

  it.each([
    'ce_type',
    'ce_id',
    'ce_source',
    'ce_specversion',
    'ce_time',
    'ce_subject',
    'content-type',
    'ce_correlationid',
  ])('names a missing %s', (header) => {
    const error = rejection(without(header));
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(error).toMatchObject({ code: 'ENVELOPE.MISSING_HEADER', header });
  });

  it('rejects an unknown type or version, and a ce_type without version', () => {
    const unknown = asConsumed();
    unknown.headers.ce_type = Buffer.from('fulfil.orders.OrderTeleported.v1');
    expect(rejection(unknown)).toMatchObject({ code: 'CONTRACT.UNKNOWN_EVENT' });
    unknown.headers.ce_type = Buffer.from('fulfil.orders.OrderPlaced.v9');
    expect(rejection(unknown)).toMatchObject({ code: 'CONTRACT.UNKNOWN_EVENT', eventVersion: 9 });
    unknown.headers.ce_type = Buffer.from('fulfil.orders.OrderPlaced');
    expect(rejection(unknown)).toMatchObject({
      code: 'ENVELOPE.INVALID_HEADER',
      header: 'ce_type',
    });
  });

  it('rejects bad JSON and an empty body', () => {
    expect(rejection({ ...asConsumed(), value: Buffer.from('{"orderId":') })).toMatchObject({
      code: 'ENVELOPE.INVALID_JSON',
      header: 'value',
    });
    expect(rejection({ ...asConsumed(), value: null })).toMatchObject({
      code: 'ENVELOPE.MISSING_VALUE',
    });
  });

  it('rejects data violating the schema, naming the paths', () => {
    const data = { ...EVENT_SAMPLES['fulfil.orders.OrderPlaced@1'], paymentMethod: 'bitcoin' };
    const error = rejection({ ...asConsumed(), value: Buffer.from(JSON.stringify(data)) });
    expect(error).toBeInstanceOf(ContractViolationError);
    expect(error).toMatchObject({
      code: 'CONTRACT.SCHEMA_VIOLATION',
      issues: [expect.objectContaining({ path: 'paymentMethod' })],
    });
  });

  it('rejects envelopes that disagree with the contract or the data', () => {
    const cases: [string, string, string][] = [
      ['ce_source', '/fulfil/payments', 'ENVELOPE.INVALID_HEADER'],
      ['ce_subject', 'ord-2', 'ENVELOPE.INVALID_HEADER'],
      ['ce_specversion', '0.3', 'ENVELOPE.INVALID_HEADER'],
      ['ce_time', '2026-11-23T16:00:00+08:00', 'ENVELOPE.INVALID_HEADER'],
      [
        'traceparent',
        '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
        'ENVELOPE.INVALID_HEADER',
      ],
      ['content-type', 'application/avro', 'ENVELOPE.UNSUPPORTED_CONTENT_TYPE'],
    ];
    for (const [header, value, code] of cases) {
      const message = asConsumed();
      message.headers[header] = Buffer.from(value);
      expect(rejection(message)).toMatchObject({ code, header });
    }
    expect(rejection({ ...asConsumed(), key: 'ord-2' })).toMatchObject({
      code: 'ENVELOPE.KEY_MISMATCH',
    });
  });

  it('accepts a charset on the content type and a repeated identical header, not a conflicting one', () => {
    const message = asConsumed();
    const ok = {
      ...message,
      headers: {
        ...message.headers,
        'content-type': 'application/json; charset=utf-8',
        ce_id: [Buffer.from('evt-1'), 'evt-1'],
      },
    };
    expect(fromKafkaMessage(ok).envelope.id).toBe('evt-1');
    const conflicting = { ...message, headers: { ...message.headers, ce_id: ['evt-1', 'evt-2'] } };
    expect(rejection(conflicting)).toMatchObject({
      code: 'ENVELOPE.INVALID_HEADER',
      header: 'ce_id',
    });
  });
});

describe('peekEventType', () => {
  it('reads the type from ce_type alone, without checking the rest of the message', () => {
    const unreadable = { headers: { ce_type: Buffer.from('fulfil.orders.OrderPlaced.v2') } };
    expect(peekEventType(unreadable)).toEqual({
      ceType: 'fulfil.orders.OrderPlaced.v2',
      type: 'fulfil.orders.OrderPlaced',
    });
  });

  it('gives nothing for a missing, unversioned or conflicting ce_type', () => {
    expect(peekEventType({})).toBeUndefined();
    expect(peekEventType({ headers: { ce_type: 'fulfil.orders.OrderPlaced' } })).toBeUndefined();
    expect(
      peekEventType({ headers: { ce_type: ['fulfil.orders.OrderPlaced.v1', 'x.v1'] } }),
    ).toBeUndefined();
  });
});
