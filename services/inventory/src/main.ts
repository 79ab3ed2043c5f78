import 'reflect-metadata';
import { configOrExit, runService } from '@fulfil/service-kit';
import { loadInventorySettings } from './inventory.settings';
import { inventoryDefinition } from './service.definition';

// The inventory's own settings are checked first, so a bad value stops the process with the
// kit's one-line `Configuration error: <VARIABLE> …` rather than a start-up stack trace.
configOrExit(() => loadInventorySettings(process.env));
void runService(inventoryDefinition);
