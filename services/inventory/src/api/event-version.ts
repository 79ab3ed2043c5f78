import type { IntegrationEvent } from '@fulfil/contracts';

/**
 * The data of a consumed event, which must be version 1 of `type` — the version inventory
 * understands (the inbox validated it against that contract). Another version throws, so it
 * lands on the dead-letter topic (to redrive once handled) instead of being skipped silently.
 */
export function v1Data<Data>(event: IntegrationEvent, type: string): Data {
  if (event.type !== type || event.version !== 1) {
    throw new Error(`inventory handles ${type} v1, got ${event.type} v${event.version}`);
  }
  return event.data as Data;
}
