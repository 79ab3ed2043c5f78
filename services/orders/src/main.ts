import 'reflect-metadata';
import { configOrExit, runService } from '@fulfil/service-kit';
import { loadOrdersSettings } from './orders.settings';
import { ordersDefinition } from './service.definition';

// The service's own settings fail fast like the kit's: one line naming the variable, exit 1.
configOrExit(() => loadOrdersSettings(process.env));
void runService(ordersDefinition);
