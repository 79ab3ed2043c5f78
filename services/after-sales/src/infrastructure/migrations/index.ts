/** TypeORM migrations of the after-sales database, in order; run at start-up by the service kit. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const afterSalesMigrations: Function[] = [];
