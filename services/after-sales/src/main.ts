import 'reflect-metadata';
import { runService } from '@fulfil/service-kit';
import { afterSalesDefinition } from './service.definition';

void runService(afterSalesDefinition);
