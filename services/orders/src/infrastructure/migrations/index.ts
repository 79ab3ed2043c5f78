/** TypeORM migrations of the orders database, in order; run at start-up by the service kit. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const ordersMigrations: Function[] = [];
