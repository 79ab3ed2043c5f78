/** One environment variable a service reads at start-up. */
export interface EnvironmentVariable {
  readonly name: string;
  readonly required: boolean;
  /** The default when unset, as documentation text; `undefined` when required. */
  readonly default: string | undefined;
  readonly description: string;
  /** Never printed, logged or echoed in error messages; deliver it as a secret. */
  readonly secret?: boolean;
}

/**
 * The environment every service reads, as data: the deployment manifests' consistency test
 * and the docs are generated from or checked against this list. `loadServiceConfig` parses
 * exactly these variables.
 */
export const SERVICE_ENVIRONMENT: readonly EnvironmentVariable[] = [
  {
    name: 'PORT',
    required: false,
    default: "the service's catalog port (orders 3001 … notifications 3006)",
    description: 'HTTP port to listen on, 1–65535.',
  },
  {
    name: 'HOST',
    required: false,
    default: '0.0.0.0',
    description: 'Interface to listen on.',
  },
  {
    name: 'DATABASE_URL',
    required: true,
    default: undefined,
    description:
      "PostgreSQL URL of the service's own database (postgres:// or postgresql://, with host and database name). The database is created at start-up when missing.",
    secret: true,
  },
  {
    name: 'KAFKA_BROKERS',
    required: true,
    default: undefined,
    description: 'Comma-separated Kafka bootstrap brokers, host:port[,host:port…].',
  },
  {
    name: 'AUTH_TOKENS',
    required: true,
    default: undefined,
    description:
      'JSON array of callers allowed to call the HTTP API: [{"caller":"storefront","token":"…","scopes":["orders:read"]}]; tokens at least 16 characters, callers and tokens unique.',
    secret: true,
  },
  {
    name: 'LOG_LEVEL',
    required: false,
    default: 'info',
    description: 'fatal, error, warn, info, debug or trace.',
  },
  {
    name: 'HTTP_BODY_LIMIT',
    required: false,
    default: '1mb',
    description: 'Largest accepted request body: bytes, or a size such as 512kb or 1mb.',
  },
  {
    name: 'SHUTDOWN_GRACE_MS',
    required: false,
    default: '10000',
    description:
      'On SIGTERM/SIGINT, how long in-flight requests may take to finish before the process exits.',
  },
  {
    name: 'KAFKA_CLIENT_ID',
    required: false,
    default: 'fulfil-<service>',
    description: 'Kafka client id of the service.',
  },
  {
    name: 'OUTBOX_RELAY_POLL_INTERVAL_MS',
    required: false,
    default: '20',
    description:
      'While the service commits events, its outbox relay publishes at most once per this many ms, 1–10000: each hop of a flow waits up to this long, and a longer interval publishes bigger batches, which consumers then handle in fewer transactions (less CPU per order under load, more latency). Only services with an outbox use it.',
  },
  {
    name: 'KAFKA_SESSION_TIMEOUT_MS',
    required: false,
    default: '30000',
    description:
      "Session of the service's Kafka consumer-group members, 6000–1800000 ms: how long the group waits for an instance that stopped heartbeating (crashed, frozen, cut off) before its partitions go to the others. A restarted instance too gets its partitions only then. Shorter recovers sooner; too short for the machine's pauses (GC, a loaded VM) makes healthy members drop out and rebalance. Heartbeats go every third of it, at most every 3 s.",
  },
  {
    name: 'DEADLINE_LEASE_MS',
    required: false,
    default: '60000',
    description:
      "How long a due deadline whose handler calls out (payments' provider calls) stays with the process that took it, 5000–3600000 ms. Should that process die, another instance (or the restarted one) takes the deadline over when the lease runs out. Keep it well above the longest call such a handler makes (payments' provider timeout is 10 s): a lease that runs out while the call is still going lets a second process make the same call.",
  },
];
