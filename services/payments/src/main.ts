import 'reflect-metadata';
import { configOrExit, runService } from '@fulfil/service-kit';
import { loadPaymentsSettings } from './payments.settings';
import { paymentsDefinition } from './service.definition';

// The service's own variables are checked before anything starts: one line and exit 1.
configOrExit(() => loadPaymentsSettings(process.env));
void runService(paymentsDefinition);
