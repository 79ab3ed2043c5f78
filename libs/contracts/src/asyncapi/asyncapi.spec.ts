import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EVENT_CONTRACTS } from '../events/event-registry';
import { ALL_TOPICS } from '../topics';
import { ASYNCAPI_PATH, renderAsyncApiYaml } from './asyncapi-yaml';
import { buildAsyncApiDocument, messageKey } from './build-asyncapi';
import {
  EVENTS_DOC_PATH,
  EVENTS_TABLE_END,
  EVENTS_TABLE_START,
  normalizeTable,
  renderEventsTable,
} from './events-table';

const repoRoot = join(__dirname, '..', '..', '..', '..');

type Doc = {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<
    string,
    { action: string; channel: { $ref: string }; messages: { $ref: string }[] }
  >;
  components: { messages: Record<string, { name: string; payload: { $ref: string } }> };
};

describe('docs/asyncapi.yaml', () => {
  it('is up to date with the contracts', () => {
    const committed: unknown = parse(readFileSync(join(repoRoot, ASYNCAPI_PATH), 'utf8'));
    const current: unknown = parse(renderAsyncApiYaml());
    if (JSON.stringify(committed) !== JSON.stringify(current)) {
      throw new Error(
        `${ASYNCAPI_PATH} is out of date with libs/contracts. Regenerate it with\n` +
          '  npx tsx libs/contracts/src/asyncapi/write-asyncapi.ts\n' +
          'and commit the result.',
      );
    }
  });
});

describe('docs/events.md', () => {
  it('lists every event as the contracts define it', () => {
    const committed = normalizeTable(readFileSync(join(repoRoot, EVENTS_DOC_PATH), 'utf8'));
    const current = normalizeTable(
      `${EVENTS_TABLE_START}\n${renderEventsTable()}\n${EVENTS_TABLE_END}`,
    );
    if (JSON.stringify(committed) !== JSON.stringify(current)) {
      throw new Error(
        `The event tables of ${EVENTS_DOC_PATH} are out of date. Regenerate them with\n` +
          '  npx tsx libs/contracts/src/asyncapi/write-asyncapi.ts',
      );
    }
  });
});

describe('buildAsyncApiDocument', () => {
  const doc = buildAsyncApiDocument() as Doc;

  it('is AsyncAPI 3.0 with one channel per topic and one send operation per service', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.values(doc.channels).map((c) => c.address)).toEqual([...ALL_TOPICS]);
    const operations = Object.values(doc.operations);
    expect(operations).toHaveLength(6);
    for (const operation of operations) expect(operation.action).toBe('send');
  });

  it('has a message with a payload schema for every contract, on its topic and operation', () => {
    for (const contract of EVENT_CONTRACTS) {
      const key = messageKey(contract);
      const message = doc.components.messages[key]!;
      expect(message.name).toBe(`${contract.type}.v${contract.version}`);
      expect(message.payload.$ref).toBe(`#/components/schemas/${key}`);
      const [channelKey, channel] = Object.entries(doc.channels).find(
        ([, c]) => c.address === contract.topic,
      )!;
      expect(channel.messages[key]).toEqual({ $ref: `#/components/messages/${key}` });
      const operation = Object.values(doc.operations).find(
        (o) => o.channel.$ref === `#/channels/${channelKey}`,
      )!;
      expect(operation.messages).toContainEqual({
        $ref: `#/channels/${channelKey}/messages/${key}`,
      });
    }
  });

  it('only has local references that resolve', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const pointer = ref.slice('"$ref":"#/'.length, -1).split('/');
      let node: unknown = doc;
      for (const part of pointer) node = (node as Record<string, unknown>)[part];
      expect({ ref, resolved: node !== undefined }).toEqual({ ref, resolved: true });
    }
  });
});
