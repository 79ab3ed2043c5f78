import { ConfigurationError } from '@fulfil/service-kit';
import { loadInventorySettings } from './inventory.settings';

describe('inventory settings', () => {
  it('has defaults that work for npm start', () => {
    expect(loadInventorySettings({})).toEqual({
      defaultLowStockThreshold: 5,
      allocation: { split: true, preference: 'most-available' },
      reservationTtlSeconds: 1200,
    });
  });

  it('reads every variable; empty counts as unset', () => {
    expect(
      loadInventorySettings({
        LOW_STOCK_THRESHOLD: '0',
        ALLOCATION_SPLIT: 'deny',
        ALLOCATION_PREFERENCE: 'warehouses-first',
        RESERVATION_TTL_SECONDS: '',
      }),
    ).toEqual({
      defaultLowStockThreshold: 0,
      allocation: { split: false, preference: 'warehouses-first' },
      reservationTtlSeconds: 1200,
    });
  });

  it.each([
    ['LOW_STOCK_THRESHOLD', '-1'],
    ['LOW_STOCK_THRESHOLD', 'many'],
    ['ALLOCATION_SPLIT', 'sometimes'],
    ['ALLOCATION_PREFERENCE', 'nearest'],
    ['RESERVATION_TTL_SECONDS', '0'],
    ['RESERVATION_TTL_SECONDS', '1.5'],
  ])('refuses %s=%s naming the variable, not the value', (name, value) => {
    const load = () => loadInventorySettings({ [name]: value });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(new RegExp(`^${name} `));
    // Short numbers may occur in the explanation itself; words must not be echoed.
    if (value.length > 3) expect(load).not.toThrow(new RegExp(value));
  });
});
