import { z } from 'zod';
import { EventContract, versionedType } from '../events/event-contract';
import { EVENT_CONTRACTS } from '../events/event-registry';
import { SERVICE_CATALOG, SERVICE_NAMES, ServiceName } from '../services';
import {
  CLOUDEVENTS_SPEC_VERSION,
  EVENT_CONTENT_TYPE,
  eventSource,
  KafkaHeaders,
} from '../envelope/cloudevents-kafka';

type JsonSchema = Record<string, unknown>;

/** `fulfil.orders.OrderPlaced` v1 → `OrderPlacedV1`: the component key of a message/schema. */
export function messageKey(contract: EventContract): string {
  return `${contract.name}V${contract.version}`;
}

/** `orders.events` → `ordersEvents`: the channel key. */
function channelKey(service: ServiceName): string {
  return SERVICE_CATALOG[service].topic.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase());
}

/** `after-sales` → `publishAfterSalesEvents`: the operation key. */
function operationKey(service: ServiceName): string {
  const pascal = service.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase());
  return `publish${pascal}Events`;
}

/**
 * The JSON Schema (draft-07, which AsyncAPI schemas extend) of a contract's data. zod's very long
 * date-time regex is dropped in favour of `format: date-time`; refinements are not expressible
 * and stay runtime-only (see docs/events.md).
 */
export function contractJsonSchema(contract: EventContract): JsonSchema {
  const schema = z.toJSONSchema(contract.schema, {
    target: 'draft-7',
    io: 'output',
    unrepresentable: 'throw',
    override: (ctx) => {
      const json = ctx.jsonSchema as JsonSchema;
      if (json.format === 'date-time') delete json.pattern;
    },
  }) as JsonSchema;
  delete schema.$schema;
  return schema;
}

/** The headers every event message carries (CloudEvents 1.0 Kafka binary mode + trace context). */
export function cloudEventsHeadersSchema(): JsonSchema {
  const text = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });
  return {
    type: 'object',
    required: [
      KafkaHeaders.specversion,
      KafkaHeaders.id,
      KafkaHeaders.type,
      KafkaHeaders.source,
      KafkaHeaders.subject,
      KafkaHeaders.time,
      KafkaHeaders.contentType,
      KafkaHeaders.correlationId,
    ],
    properties: {
      [KafkaHeaders.specversion]: { type: 'string', const: CLOUDEVENTS_SPEC_VERSION },
      [KafkaHeaders.id]: text('Unique event id, stable across re-publishing (consumer inboxes).'),
      [KafkaHeaders.type]: text('Wire name and version, e.g. fulfil.orders.OrderPlaced.v1.'),
      [KafkaHeaders.source]: text('Publishing service, /fulfil/<service>.'),
      [KafkaHeaders.subject]: text('Aggregate id; equals the Kafka key.'),
      [KafkaHeaders.time]: {
        type: 'string',
        format: 'date-time',
        description: 'When the fact happened, ISO-8601 UTC.',
      },
      [KafkaHeaders.contentType]: { type: 'string', const: EVENT_CONTENT_TYPE },
      [KafkaHeaders.correlationId]: text('Extension: id of the business flow.'),
      [KafkaHeaders.causationId]: text('Extension: id of the message that caused this event.'),
      [KafkaHeaders.traceparent]: {
        type: 'string',
        pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
        description: 'W3C Trace Context.',
      },
      [KafkaHeaders.tracestate]: { type: 'string', description: 'W3C Trace Context.' },
    },
  };
}

/**
 * The AsyncAPI 3.0 document of every integration event: one channel per topic, one message
 * per (event, version) with its zod-derived payload schema and CloudEvents headers, one `send`
 * operation per publishing service. Deterministic: the same contracts give the same document.
 */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = { CloudEventsHeaders: cloudEventsHeadersSchema() };

  for (const service of SERVICE_NAMES) {
    const contracts = EVENT_CONTRACTS.filter((c) => c.service === service) as EventContract[];
    const topic = SERVICE_CATALOG[service].topic;
    const channel = channelKey(service);
    const channelMessages: Record<string, unknown> = {};
    for (const contract of contracts) {
      const key = messageKey(contract);
      channelMessages[key] = { $ref: `#/components/messages/${key}` };
      schemas[key] = contractJsonSchema(contract);
      messages[key] = {
        name: versionedType(contract.type, contract.version),
        title: `${contract.name} v${contract.version}`,
        summary: contract.summary,
        description: `Aggregate ${contract.aggregate}; key and ce_subject: data.${contract.subject}. Requirements: ${contract.requirements.join(', ')}.`,
        contentType: EVENT_CONTENT_TYPE,
        headers: {
          allOf: [
            { $ref: '#/components/schemas/CloudEventsHeaders' },
            {
              type: 'object',
              properties: {
                [KafkaHeaders.type]: {
                  type: 'string',
                  const: versionedType(contract.type, contract.version),
                },
                [KafkaHeaders.source]: { type: 'string', const: eventSource(contract.service) },
              },
            },
          ],
        },
        payload: { $ref: `#/components/schemas/${key}` },
        correlationId: { $ref: '#/components/correlationIds/correlationId' },
        bindings: {
          kafka: {
            key: { type: 'string', description: `data.${contract.subject}` },
            bindingVersion: '0.5.0',
          },
        },
      };
    }
    channels[channel] = {
      address: topic,
      title: topic,
      description: `Integration events published by the ${service} service, keyed by aggregate id.`,
      messages: channelMessages,
      bindings: { kafka: { topic, bindingVersion: '0.5.0' } },
    };
    operations[operationKey(service)] = {
      action: 'send',
      title: `${service} publishes its events`,
      channel: { $ref: `#/channels/${channel}` },
      messages: contracts.map((c) => ({
        $ref: `#/channels/${channel}/messages/${messageKey(c)}`,
      })),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'fulfil integration events',
      version: '1.0.0',
      description:
        'Generated from libs/contracts by libs/contracts/src/asyncapi/write-asyncapi.ts; do not edit. ' +
        'CloudEvents 1.0 in Kafka binary mode: attributes in ce_* headers, the data as the JSON value. See docs/events.md.',
    },
    defaultContentType: EVENT_CONTENT_TYPE,
    channels,
    operations,
    components: {
      schemas,
      messages,
      correlationIds: {
        correlationId: {
          description: 'The business flow an event belongs to (ce_correlationid header).',
          location: `$message.header#/${KafkaHeaders.correlationId}`,
        },
      },
    },
  };
}
