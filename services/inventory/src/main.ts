import 'reflect-metadata';
import { runService } from '@fulfil/service-kit';
import { inventoryDefinition } from './service.definition';

void runService(inventoryDefinition);
