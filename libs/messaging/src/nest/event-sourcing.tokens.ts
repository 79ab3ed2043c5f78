/** Injection token of the service's `pg.Pool` on its own database (from `EventSourcingModule`). */
export const PG_POOL = 'fulfil:PG_POOL';

/** Injection token of the `EventSourcingOptions` the module was set up with. */
export const EVENT_SOURCING_OPTIONS = 'fulfil:EVENT_SOURCING_OPTIONS';
