/** TypeORM migrations of the notifications database, in order; run at start-up by the service kit. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const notificationsMigrations: Function[] = [];
