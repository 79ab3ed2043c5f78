/** Injection token of the service's `pg.Pool` on its own database (from `EventSourcingModule`). */
export const PG_POOL = 'fulfil:PG_POOL';
