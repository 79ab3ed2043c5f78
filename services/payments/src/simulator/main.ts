// Runs the SIMULATED payment provider on its own (outside the payments service):
//   node dist/services/payments/src/simulator/main.js
// with the payments service started with PAYMENT_GATEWAY_URL=http://127.0.0.1:3103.
import { loadPaymentsSettings } from '../payments.settings';
import { PaymentProviderSimulator } from './payment-provider-simulator';

async function main(): Promise<void> {
  const settings = loadPaymentsSettings();
  const simulator = new PaymentProviderSimulator({
    port: settings.simulatorPort,
    host: process.env.PAYMENT_SIMULATOR_HOST ?? '127.0.0.1',
    apiKey: settings.gatewayApiKey,
    webhookSecretFor: (method) => settings.webhookSecrets[method],
    autoPay: settings.simulatorAutoPay,
    autoPayDelayMs: settings.simulatorAutoPayDelayMs,
    log: (message) => console.log(message),
  });
  const url = await simulator.start();
  console.log(`SIMULATED payment provider listening on ${url} (moves no money)`);
  const stop = () => void simulator.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
