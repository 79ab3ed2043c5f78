import { ConfigurationError } from '@fulfil/service-kit';
import { loadOrdersSettings } from './orders.settings';

describe('orders settings', () => {
  it('defaults to cancelling short orders after 30 minutes unconfirmed', () => {
    expect(loadOrdersSettings({})).toEqual({
      shortagePolicy: 'cancel',
      confirmationTimeoutSeconds: 1800,
    });
    expect(
      loadOrdersSettings({ ORDER_SHORTAGE_POLICY: '', ORDER_CONFIRMATION_TIMEOUT_SECONDS: '' }),
    ).toEqual({ shortagePolicy: 'cancel', confirmationTimeoutSeconds: 1800 });
  });

  it('reads both variables', () => {
    expect(
      loadOrdersSettings({
        ORDER_SHORTAGE_POLICY: 'confirm-available',
        ORDER_CONFIRMATION_TIMEOUT_SECONDS: '60',
      }),
    ).toEqual({ shortagePolicy: 'confirm-available', confirmationTimeoutSeconds: 60 });
  });

  it.each([
    ['ORDER_SHORTAGE_POLICY', 'partial'],
    ['ORDER_CONFIRMATION_TIMEOUT_SECONDS', 'soon'],
    ['ORDER_CONFIRMATION_TIMEOUT_SECONDS', '-5'],
    ['ORDER_CONFIRMATION_TIMEOUT_SECONDS', '1.5'],
  ])('names %s when it is %s', (name, value) => {
    let thrown: unknown;
    try {
      loadOrdersSettings({ [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as ConfigurationError).variable).toBe(name);
    expect((thrown as Error).message).not.toContain(value);
  });
});
