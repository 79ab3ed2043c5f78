/** glibc's malloc settings for PostgreSQL, as `GLIBC_TUNABLES` entries (postgres-malloc.cjs). */
export declare const MALLOC_TUNABLES: readonly string[];
/** `current` (the environment's GLIBC_TUNABLES) with these added — unless it tunes malloc itself. */
export declare function postgresMallocTunables(current?: string): string;
