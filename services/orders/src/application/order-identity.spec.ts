import { orderIdFor, orderNumberFor } from './order-identity';

describe('order identity', () => {
  it('derives the same UUID v5 from the same caller and key, another from any other', () => {
    const id = orderIdFor('storefront', 'key-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(orderIdFor('storefront', 'key-1')).toBe(id);
    expect(orderIdFor('storefront', 'key-2')).not.toBe(id);
    expect(orderIdFor('pos', 'key-1')).not.toBe(id);
    // The length prefix keeps ("a", "b:c") and ("a:b", "c") apart.
    expect(orderIdFor('a', 'b:c')).not.toBe(orderIdFor('a:b', 'c'));
  });

  it('numbers orders ORD-<date>-<6 unambiguous characters>, stable per id', () => {
    const number = orderNumberFor('6a1d3a8e-0b0c-4b5f-9d4e-2f7c1e0a9b11', '2026-11-23T09:00:00Z');
    expect(number).toMatch(/^ORD-20261123-[0-9A-HJKMNP-TV-Z]{6}$/);
    expect(orderNumberFor('6a1d3a8e-0b0c-4b5f-9d4e-2f7c1e0a9b11', '2026-11-23T23:59:59Z')).toBe(
      number,
    );
    const others = new Set(
      Array.from({ length: 200 }, (_, i) => orderNumberFor(`order-${i}`, '2026-11-23T09:00:00Z')),
    );
    expect(others.size).toBe(200);
  });

  it('gives each further attempt of one order another number of the same day', () => {
    const id = '6a1d3a8e-0b0c-4b5f-9d4e-2f7c1e0a9b11';
    const at = '2026-11-23T09:00:00Z';
    const attempts = [0, 1, 2, 3].map((attempt) => orderNumberFor(id, at, attempt));
    expect(attempts[0]).toBe(orderNumberFor(id, at));
    expect(new Set(attempts).size).toBe(4);
    for (const number of attempts) expect(number).toMatch(/^ORD-20261123-/);
  });
});
