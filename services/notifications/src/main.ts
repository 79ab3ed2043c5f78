import 'reflect-metadata';
import { runService } from '@fulfil/service-kit';
import { notificationsDefinition } from './service.definition';

void runService(notificationsDefinition);
