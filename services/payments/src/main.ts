import 'reflect-metadata';
import { runService } from '@fulfil/service-kit';
import { paymentsDefinition } from './service.definition';

void runService(paymentsDefinition);
