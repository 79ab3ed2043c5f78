import { CreateEventStore1732300000000 } from '@fulfil/event-store';
import { CreateMessaging1732400000000 } from '../create-messaging.migration';
import { CreateDeadlines1732500000000 } from '../deadlines/create-deadlines.migration';
import { SkipPayloadStatistics1733300000000 } from '../skip-payload-statistics.migration';
import { OutboxRelayOrderKey1733500000000 } from '../outbox-relay-order-key.migration';
import { CoarseKeyStatistics1733600000000 } from '../coarse-key-statistics.migration';

/** The tables `EventSourcingModule` needs, in order: put them first in a service's migrations. */
export const EVENT_SOURCING_MIGRATIONS = [
  CreateEventStore1732300000000,
  CreateMessaging1732400000000,
  CreateDeadlines1732500000000,
  SkipPayloadStatistics1733300000000,
  OutboxRelayOrderKey1733500000000,
  CoarseKeyStatistics1733600000000,
] as const;
