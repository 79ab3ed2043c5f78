export { startBroker } from './broker';
export type { RunningBroker } from './broker';
export type { BrokerLogger, BrokerOptions } from './config';
