import { UtcDateTime } from '../events/common.schemas';
import { ContractViolationError } from '../events/contract-violation.error';
import { versionedType } from '../events/event-contract';
import {
  getEventContract,
  IntegrationEvent,
  parseIntegrationEvent,
} from '../events/event-registry';
import { EnvelopeError } from './envelope.error';

/**
 * Kafka header names of the envelope: CloudEvents 1.0 Kafka protocol binding, binary mode
 * (attributes as `ce_*` headers, the data as the JSON value). `ce_correlationid` and
 * `ce_causationid` are our extension attributes (lowercase alphanumeric, as CloudEvents
 * requires); `traceparent`/`tracestate` are the W3C Trace Context headers that OpenTelemetry's
 * Kafka propagation reads.
 */
export const KafkaHeaders = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  specversion: 'ce_specversion',
  time: 'ce_time',
  subject: 'ce_subject',
  correlationId: 'ce_correlationid',
  causationId: 'ce_causationid',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

export const CLOUDEVENTS_SPEC_VERSION = '1.0';
export const EVENT_CONTENT_TYPE = 'application/json';

/** `ce_type` is the wire name plus `.v<version>`: `fulfil.orders.OrderPlaced.v1`. */
const VERSIONED_TYPE = /^(fulfil\.[a-z-]+\.[A-Za-z]+)\.v([1-9][0-9]*)$/;
/** W3C traceparent, version 00 (ids must not be all zero). */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** `ce_source` of a service: `/fulfil/<service>`. */
export function eventSource(service: string): string {
  return `/fulfil/${service}`;
}

/** What the producer knows besides the event itself (normally from the stored event). */
export interface EventContext {
  /** `ce_id`: the event's unique, stable id (the same on every re-publish, for inboxes). */
  readonly id: string;
  /** `ce_time`: when the fact happened, ISO-8601 UTC. */
  readonly time: string;
  /** `ce_correlationid`: the id of the flow (e.g. the order placement request). */
  readonly correlationId: string;
  /** `ce_causationid`: the id of the message or command that caused this event. */
  readonly causationId?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** The message to hand to a Kafka producer (kafkajs `Message` compatible). */
export interface KafkaOutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

type HeaderValue = Buffer | string | readonly (Buffer | string)[] | undefined;

/** A consumed Kafka message; header values may be Buffers or strings (kafkajs gives Buffers). */
export interface KafkaIncomingMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, HeaderValue>>;
}

/** The CloudEvents attributes of a received event. */
export interface CloudEventEnvelope {
  readonly specversion: '1.0';
  readonly id: string;
  /** The `ce_type` header, versioned: `fulfil.orders.OrderPlaced.v1`. */
  readonly type: string;
  readonly source: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly correlationId: string;
  readonly causationId?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** A received event: its envelope and the validated, typed event. */
export interface ReceivedIntegrationEvent {
  readonly envelope: CloudEventEnvelope;
  readonly event: IntegrationEvent;
}

/**
 * Builds the Kafka message of an event: key = aggregate id, value = JSON of the data, headers =
 * the CloudEvents attributes. Refuses (`ContractViolationError`) data that fails its schema and
 * (`EnvelopeError`) a malformed context.
 */
export function toKafkaMessage(
  event: IntegrationEvent,
  context: EventContext,
): KafkaOutgoingMessage {
  const contract = getEventContract(event.type, event.version);
  const data = parseIntegrationEvent(event.type, event.version, event.data) as Record<
    string,
    unknown
  >;
  const subject = String(data[contract.subject]);
  requireText(KafkaHeaders.id, context.id);
  requireText(KafkaHeaders.correlationId, context.correlationId);
  if (context.causationId !== undefined) requireText(KafkaHeaders.causationId, context.causationId);
  checkTime(context.time);
  if (context.traceparent !== undefined) checkTraceparent(context.traceparent);

  const headers: Record<string, string> = {
    [KafkaHeaders.specversion]: CLOUDEVENTS_SPEC_VERSION,
    [KafkaHeaders.id]: context.id,
    [KafkaHeaders.type]: versionedType(contract.type, contract.version),
    [KafkaHeaders.source]: eventSource(contract.service),
    [KafkaHeaders.subject]: subject,
    [KafkaHeaders.time]: context.time,
    [KafkaHeaders.contentType]: EVENT_CONTENT_TYPE,
    [KafkaHeaders.correlationId]: context.correlationId,
  };
  if (context.causationId !== undefined) headers[KafkaHeaders.causationId] = context.causationId;
  if (context.traceparent !== undefined) headers[KafkaHeaders.traceparent] = context.traceparent;
  if (context.tracestate !== undefined) headers[KafkaHeaders.tracestate] = context.tracestate;
  return { key: subject, value: Buffer.from(JSON.stringify(data), 'utf8'), headers };
}

/**
 * The event type a message says it carries (its `ce_type` header, and the wire name without
 * `.v<version>`) before anything is checked: enough to route it, e.g. to skip a type nobody
 * handles without parsing it. Undefined when the header is missing, repeated with different
 * values or not `<wire name>.v<version>` — `fromKafkaMessage` then says what is wrong.
 */
export function peekEventType(
  message: Pick<KafkaIncomingMessage, 'headers'>,
): { readonly ceType: string; readonly type: string } | undefined {
  let ceType: string | undefined;
  try {
    ceType = optionalHeader(message.headers ?? {}, KafkaHeaders.type);
  } catch {
    return undefined;
  }
  const match = ceType === undefined ? null : VERSIONED_TYPE.exec(ceType);
  return match ? { ceType: match[0], type: match[1]! } : undefined;
}

/**
 * Reads a consumed Kafka message: checks the envelope, finds the contract from `ce_type`
 * and validates the data. Throws `EnvelopeError` (header/body problems) or
 * `ContractViolationError` (unknown type/version, data violating the schema).
 */
export function fromKafkaMessage(message: KafkaIncomingMessage): ReceivedIntegrationEvent {
  const headers = message.headers ?? {};
  const specversion = requiredHeader(headers, KafkaHeaders.specversion);
  if (specversion !== CLOUDEVENTS_SPEC_VERSION) {
    throw new EnvelopeError(
      'ENVELOPE.INVALID_HEADER',
      KafkaHeaders.specversion,
      `unsupported "${specversion}"`,
    );
  }
  const ceType = requiredHeader(headers, KafkaHeaders.type);
  const match = VERSIONED_TYPE.exec(ceType);
  if (!match) {
    throw new EnvelopeError(
      'ENVELOPE.INVALID_HEADER',
      KafkaHeaders.type,
      `"${ceType}" is not <wire name>.v<version>`,
    );
  }
  const [, type, versionText] = match as unknown as [string, string, string];
  const contract = getEventContract(type, Number(versionText));

  const id = requiredHeader(headers, KafkaHeaders.id);
  const source = requiredHeader(headers, KafkaHeaders.source);
  if (source !== eventSource(contract.service)) {
    throw new EnvelopeError(
      'ENVELOPE.INVALID_HEADER',
      KafkaHeaders.source,
      `"${source}" is not the publisher of ${ceType} (${eventSource(contract.service)})`,
    );
  }
  const time = requiredHeader(headers, KafkaHeaders.time);
  checkTime(time);
  const subject = requiredHeader(headers, KafkaHeaders.subject);
  const correlationId = requiredHeader(headers, KafkaHeaders.correlationId);
  const contentType = requiredHeader(headers, KafkaHeaders.contentType);
  if (contentType.split(';')[0]?.trim().toLowerCase() !== EVENT_CONTENT_TYPE) {
    throw new EnvelopeError(
      'ENVELOPE.UNSUPPORTED_CONTENT_TYPE',
      KafkaHeaders.contentType,
      `"${contentType}", expected ${EVENT_CONTENT_TYPE}`,
    );
  }
  const causationId = optionalHeader(headers, KafkaHeaders.causationId);
  const traceparent = optionalHeader(headers, KafkaHeaders.traceparent);
  if (traceparent !== undefined) checkTraceparent(traceparent);
  const tracestate = optionalHeader(headers, KafkaHeaders.tracestate);

  const data = parseIntegrationEvent(contract.type, contract.version, parseBody(message.value));
  const aggregateId = String((data as Record<string, unknown>)[contract.subject]);
  if (subject !== aggregateId) {
    throw new EnvelopeError(
      'ENVELOPE.INVALID_HEADER',
      KafkaHeaders.subject,
      `"${subject}" is not the data's ${contract.subject} "${aggregateId}"`,
    );
  }
  if (message.key !== undefined && message.key !== null && text(message.key) !== aggregateId) {
    throw new EnvelopeError('ENVELOPE.KEY_MISMATCH', 'key', `is not the ${contract.subject}`);
  }

  const envelope: CloudEventEnvelope = {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id,
    type: ceType,
    source,
    subject,
    time,
    datacontenttype: EVENT_CONTENT_TYPE,
    correlationId,
    ...(causationId !== undefined && { causationId }),
    ...(traceparent !== undefined && { traceparent }),
    ...(tracestate !== undefined && { tracestate }),
  };
  const event = { type: contract.type, version: contract.version, data } as IntegrationEvent;
  return { envelope, event };
}

/** True for the errors `fromKafkaMessage` throws on a bad message (dead-letter them). */
export function isIntegrationMessageError(
  error: unknown,
): error is EnvelopeError | ContractViolationError {
  return error instanceof EnvelopeError || error instanceof ContractViolationError;
}

function text(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}

function optionalHeader(
  headers: Readonly<Record<string, HeaderValue>>,
  name: string,
): string | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).map((v: Buffer | string) => text(v));
  if (new Set(values).size > 1) {
    throw new EnvelopeError('ENVELOPE.INVALID_HEADER', name, 'repeated with different values');
  }
  const value = values[0];
  return value === undefined || value === '' ? undefined : value;
}

function requiredHeader(headers: Readonly<Record<string, HeaderValue>>, name: string): string {
  const value = optionalHeader(headers, name);
  if (value === undefined) throw new EnvelopeError('ENVELOPE.MISSING_HEADER', name, 'required');
  return value;
}

function requireText(name: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new EnvelopeError('ENVELOPE.MISSING_HEADER', name, 'required');
  }
}

function checkTime(time: string): void {
  if (!UtcDateTime.safeParse(time).success) {
    throw new EnvelopeError(
      'ENVELOPE.INVALID_HEADER',
      KafkaHeaders.time,
      `"${time}" is not ISO-8601 UTC`,
    );
  }
}

function checkTraceparent(value: string): void {
  if (!TRACEPARENT.test(value)) {
    throw new EnvelopeError(
      'ENVELOPE.INVALID_HEADER',
      KafkaHeaders.traceparent,
      `"${value}" is not a W3C traceparent`,
    );
  }
}

function parseBody(value: Buffer | string | null): unknown {
  if (value === null || value.length === 0) {
    throw new EnvelopeError('ENVELOPE.MISSING_VALUE', 'value', 'the message has no data');
  }
  try {
    return JSON.parse(text(value)) as unknown;
  } catch (error) {
    throw new EnvelopeError('ENVELOPE.INVALID_JSON', 'value', (error as Error).message);
  }
}
