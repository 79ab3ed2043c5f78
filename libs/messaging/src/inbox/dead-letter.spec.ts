import { backoffDelay } from '../shared/backoff';
import {
  type ConsumedMessage,
  deadLetterMessage,
  deadLetterTopic,
  redriveMessage,
} from './dead-letter';

const original: ConsumedMessage = {
  key: Buffer.from('ord-1'),
  value: Buffer.from('{"orderId":"ord-1"}'),
  headers: { ce_id: Buffer.from('evt-1'), ce_type: Buffer.from('fulfil.orders.OrderPlaced.v1') },
  offset: '41',
};

describe('dead letters', () => {
  it('keeps key, value and original headers, and adds the failure and its source', () => {
    const error = Object.assign(new Error('bad data'), { code: 'CONTRACT.SCHEMA_VIOLATION' });
    const dead = deadLetterMessage(
      original,
      { topic: 'orders.events', partition: 2, groupId: 'payments' },
      { reason: 'poison', error, attempts: 0 },
    );
    expect(deadLetterTopic('orders.events')).toBe('orders.events.dlq');
    expect(dead.key).toBe(original.key);
    expect(dead.value).toBe(original.value);
    expect(dead.headers).toMatchObject({
      ce_id: original.headers!.ce_id,
      dlq_reason: 'poison',
      dlq_error: 'bad data',
      dlq_error_code: 'CONTRACT.SCHEMA_VIOLATION',
      dlq_source_topic: 'orders.events',
      dlq_source_partition: '2',
      dlq_source_offset: '41',
      dlq_consumer_group: 'payments',
      dlq_attempts: '0',
    });
  });

  it('redrives to the source topic without the dlq_* headers', () => {
    const dead = deadLetterMessage(
      original,
      { topic: 'orders.events', partition: 0, groupId: 'g' },
      { reason: 'handler-failed', error: new Error('down'), attempts: 5 },
    );
    const redrive = redriveMessage({ ...original, headers: dead.headers });
    expect(redrive.topic).toBe('orders.events');
    expect(redrive.message.headers).toEqual(original.headers);
    expect(() => redriveMessage(original)).toThrow('not a dead-lettered message');
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap and stays within [cap/2, cap]', () => {
    for (let i = 0; i < 50; i += 1) {
      const first = backoffDelay(1, { initialMs: 100, maxMs: 1000 });
      const late = backoffDelay(20, { initialMs: 100, maxMs: 1000 });
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(100);
      expect(late).toBeGreaterThanOrEqual(500);
      expect(late).toBeLessThanOrEqual(1000);
    }
  });
});
