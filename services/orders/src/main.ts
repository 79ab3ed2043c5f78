import 'reflect-metadata';
import { runService } from '@fulfil/service-kit';
import { ordersDefinition } from './service.definition';

void runService(ordersDefinition);
