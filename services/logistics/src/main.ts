import 'reflect-metadata';
import { runService } from '@fulfil/service-kit';
import { logisticsDefinition } from './service.definition';

void runService(logisticsDefinition);
