import { ConfigurationError } from '@fulfil/service-kit';
import { DEV_WEBHOOK_SECRET, loadPaymentsSettings } from './payments.settings';

const OTHER_SECRET = `whsec_${Buffer.from('the-wechat-pay-secret-bytes').toString('base64')}`;

describe('payments settings', () => {
  it('has defaults that work for npm start', () => {
    const settings = loadPaymentsSettings({});
    expect(settings).toMatchObject({
      gatewayUrl: undefined,
      simulatorPort: 3103,
      simulatorAutoPay: undefined,
      paymentTtlSeconds: 900,
      notifyBaseUrl: 'http://127.0.0.1:3003',
    });
    expect(settings.webhookSecrets['wechat-pay']).toBe(DEV_WEBHOOK_SECRET);
  });

  it('reads every variable, a provider secret overriding the common one', () => {
    const settings = loadPaymentsSettings({
      PORT: '4003',
      PAYMENT_GATEWAY_URL: 'https://psp.example.com/',
      PAYMENT_SIMULATOR_PORT: '0',
      PAYMENT_SIMULATOR_AUTO_PAY: 'declined',
      PAYMENT_TTL_SECONDS: '5',
      PAYMENT_WEBHOOK_SECRET_WECHAT_PAY: OTHER_SECRET,
    });
    expect(settings).toMatchObject({
      gatewayUrl: 'https://psp.example.com',
      simulatorPort: 0,
      simulatorAutoPay: 'declined',
      paymentTtlSeconds: 5,
      notifyBaseUrl: 'http://127.0.0.1:4003',
    });
    expect(settings.webhookSecrets['wechat-pay']).toBe(OTHER_SECRET);
    expect(settings.webhookSecrets.alipay).toBe(DEV_WEBHOOK_SECRET);
  });

  it.each([
    ['PAYMENT_TTL_SECONDS', '15m'],
    ['PAYMENT_TTL_SECONDS', '0'],
    ['PAYMENT_SIMULATOR_PORT', '70000'],
    ['PAYMENT_SIMULATOR_AUTO_PAY', 'yes'],
    ['PAYMENT_WEBHOOK_SECRET', 'plain-text-secret'],
    ['PAYMENT_GATEWAY_URL', 'ftp://psp'],
    ['PAYMENT_NOTIFY_BASE_URL', 'not a url'],
  ])('refuses %s=%s naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadPaymentsSettings({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).variable).toBe(variable);
    expect((error as Error).message).not.toContain(value);
  });
});
