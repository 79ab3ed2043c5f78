import { z } from 'zod';
import { EVENT_SAMPLES } from '../fixtures/event-samples.fixture';
import { SERVICE_CATALOG } from '../services';
import { ALL_TOPICS } from '../topics';
import { ContractViolationError } from './contract-violation.error';
import {
  EVENT_CONTRACTS,
  findEventContract,
  getEventContract,
  parseIntegrationEvent,
  safeParseIntegrationEvent,
} from './event-registry';
import { OrderPlacedV1, OrdersEventTypes } from './orders.events';

const samples = EVENT_SAMPLES as Record<string, Record<string, unknown>>;
const keyOf = (c: { type: string; version: number }) => `${c.type}@${c.version}`;

function violation(type: string, version: number, data: unknown): ContractViolationError {
  try {
    parseIntegrationEvent(type, version, data);
  } catch (error) {
    if (error instanceof ContractViolationError) return error;
    throw error;
  }
  throw new Error(`expected ${type} v${version} to be rejected`);
}

/** A copy of `record` without `key`. */
function omit(record: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => name !== key));
}

const paths = (error: ContractViolationError) => error.issues.map((issue) => issue.path);

describe('EVENT_CONTRACTS', () => {
  it('covers every service, each contract with a schema, its service topic and a unique (type, version)', () => {
    const keys = EVENT_CONTRACTS.map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    for (const contract of EVENT_CONTRACTS) {
      expect(contract.schema).toBeInstanceOf(z.ZodType);
      expect(contract.topic).toBe(SERVICE_CATALOG[contract.service].topic);
      expect(ALL_TOPICS).toContain(contract.topic);
      expect(Number.isInteger(contract.version) && contract.version >= 1).toBe(true);
      const context = contract.service.replace('-', '');
      expect(contract.type).toBe(`fulfil.${context}.${contract.name}`);
      expect(contract.requirements.length).toBeGreaterThan(0);
    }
    expect(new Set(EVENT_CONTRACTS.map((c) => c.service)).size).toBe(6);
  });

  it('names events in the past tense', () => {
    const irregular = /(Paid|Sent|TimedOut)$/;
    for (const { name } of EVENT_CONTRACTS)
      expect(name).toMatch(irregular.test(name) ? irregular : /ed$/);
  });

  it('keys every event by a required string field of its data (the subject)', () => {
    for (const contract of EVENT_CONTRACTS) {
      const json = z.toJSONSchema(contract.schema, { io: 'output' }) as {
        required: string[];
        properties: Record<string, { type?: string }>;
      };
      expect({ contract: keyOf(contract), required: json.required }).toEqual({
        contract: keyOf(contract),
        required: expect.arrayContaining([contract.subject]),
      });
      expect(json.properties[contract.subject]?.type).toBe('string');
    }
  });

  it('finds contracts by (type, version) and refuses unknown ones with a stable code', () => {
    expect(getEventContract(OrdersEventTypes.OrderPlaced, 1)).toBe(OrderPlacedV1);
    expect(findEventContract(OrdersEventTypes.OrderPlaced, 2)).toBeUndefined();
    const error = violation('fulfil.orders.OrderTeleported', 1, {});
    expect(error.code).toBe('CONTRACT.UNKNOWN_EVENT');
    expect(error.message).toContain('fulfil.orders.OrderTeleported v1');
  });
});

describe('parseIntegrationEvent', () => {
  it('has exactly one sample per contract in the fixture', () => {
    expect(Object.keys(samples).sort()).toEqual(EVENT_CONTRACTS.map(keyOf).sort());
  });

  it.each(EVENT_CONTRACTS.map((c) => [keyOf(c), c] as const))(
    'accepts the sample of %s',
    (_, c) => {
      expect(parseIntegrationEvent(c.type, c.version, samples[keyOf(c)])).toEqual(
        samples[keyOf(c)],
      );
    },
  );

  it.each(EVENT_CONTRACTS.map((c) => [keyOf(c), c] as const))(
    'rejects %s with an unknown property or without its subject, naming the path',
    (_, c) => {
      const sample = samples[keyOf(c)]!;
      const extra = violation(c.type, c.version, { ...sample, surprise: true });
      expect(extra.code).toBe('CONTRACT.SCHEMA_VIOLATION');
      expect(extra.issues).toEqual([
        { path: 'surprise', code: 'unrecognized_key', message: 'unknown property' },
      ]);
      expect(paths(violation(c.type, c.version, omit(sample, c.subject)))).toEqual([c.subject]);
    },
  );

  it('names every broken field of an invalid OrderPlaced by path', () => {
    const sample = samples['fulfil.orders.OrderPlaced@1']!;
    const lines = sample.lines as Record<string, unknown>[];
    const rest = omit(sample, 'customerId');
    const error = violation(OrdersEventTypes.OrderPlaced, 1, {
      ...rest,
      orderId: 42,
      lines: [{ ...lines[0], unitPrice: { amountMinor: -1, currency: 'CNY' } }],
      totals: { ...(sample.totals as object), tip: { amountMinor: 1, currency: 'CNY' } },
    });
    expect(error.code).toBe('CONTRACT.SCHEMA_VIOLATION');
    expect(paths(error).sort()).toEqual(
      ['customerId', 'lines[0].unitPrice.amountMinor', 'orderId', 'totals.tip'].sort(),
    );
    expect(error.message).toContain('lines[0].unitPrice.amountMinor');
  });

  it('refuses fractional money, lower-case currencies and local times', () => {
    const sample = samples['fulfil.payments.PaymentTimedOut@1']!;
    const error = violation('fulfil.payments.PaymentTimedOut', 1, {
      ...sample,
      amount: { amountMinor: 10.5, currency: 'cny' },
      expiredAt: '2026-11-25T18:00:00+08:00',
    });
    expect(paths(error).sort()).toEqual(['amount.amountMinor', 'amount.currency', 'expiredAt']);
  });

  it('never lets a refund exceed what was captured', () => {
    const sample = samples['fulfil.payments.RefundIssued@1']!;
    const error = violation('fulfil.payments.RefundIssued', 1, {
      ...sample,
      amount: { amountMinor: 20000, currency: 'CNY' },
      refundedTotal: { amountMinor: 20000, currency: 'CNY' },
    });
    expect(paths(error)).toEqual(['refundedTotal.amountMinor']);
  });

  it('returns typed, readonly data and has a non-throwing variant', () => {
    const data = parseIntegrationEvent(
      OrdersEventTypes.OrderPlaced,
      1,
      samples['fulfil.orders.OrderPlaced@1'],
    );
    const sku: string = data.lines[0]!.skuId;
    expect(sku).toBe('sku-tea-tree-oil-30ml');
    // @ts-expect-error integration event data is readonly
    data.orderId = 'other';
    const outcome = safeParseIntegrationEvent(OrdersEventTypes.OrderPlaced, 1, {});
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('CONTRACT.SCHEMA_VIOLATION');
  });
});
