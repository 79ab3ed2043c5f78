import { Counter, type Registry } from 'prom-client';

/** The counters of an inbox consumer, by consumer group (`InboxConsumerOptions.registry`). */
export type InboxMetrics = Record<
  'processed' | 'ignored' | 'duplicates' | 'deadLettered' | 'rewinds',
  Counter<string>
>;

/** Registers the counters of {@link InboxMetrics} in `registry`. */
export function inboxMetrics(registry: Registry): InboxMetrics {
  return {
    processed: counter(registry, 'inbox_processed_total', 'Events handled and committed'),
    ignored: counter(
      registry,
      'inbox_ignored_total',
      'Events without a handler here, or that skip names, skipped',
    ),
    duplicates: counter(registry, 'inbox_duplicates_total', 'Redelivered events skipped'),
    deadLettered: counter(registry, 'inbox_dead_lettered_total', 'Messages sent to the DLQ'),
    rewinds: counter(
      registry,
      'inbox_rewinds_total',
      'Restarts from the committed offsets after the flush session was lost (a database crash?)',
    ),
  };
}

function counter(registry: Registry, name: string, help: string): Counter<string> {
  return new Counter({ name, help, labelNames: ['group'], registers: [registry] });
}
