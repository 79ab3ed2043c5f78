import type { INestApplication, Type } from '@nestjs/common';

/**
 * What the kit reads of a service's catalog entry. Pass the entry of `SERVICE_CATALOG` from
 * `@fulfil/contracts`; it has this shape. (The kit is a `type:util` library and may not import
 * contracts itself, so it states the shape structurally.)
 */
export interface CatalogEntry {
  /** Service name, e.g. `orders`; the `service` field of every log line. */
  readonly name: string;
  /** HTTP port when PORT is not set. */
  readonly defaultPort: number;
  /** Topic the service publishes its integration events to. */
  readonly topic: string;
  /** Name of the service's own database. */
  readonly database: string;
}

/**
 * Everything the kit needs to know about one service. Each service exports one of these
 * from `src/service.definition.ts`; `runService`, `createServiceApp` and
 * `buildOpenApiDocument` take it.
 */
export interface ServiceDefinition {
  /** The service's entry in `SERVICE_CATALOG` (name, default port, topic, database). */
  readonly catalog: CatalogEntry;
  /** Human title, used as the OpenAPI title. */
  readonly title: string;
  /** What the service does, used as the OpenAPI description. */
  readonly description: string;
  /** The service's feature module (controllers and providers of the bounded context). */
  readonly module: Type<unknown>;
  /** TypeORM entity classes of the service's own database. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities?: readonly Function[];
  /** TypeORM migration classes, run at start-up (`migrationsRun: true`). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations?: readonly Function[];
  /** Scopes the service's routes may require, scope → description (shown in OpenAPI). */
  readonly scopes: Readonly<Record<string, string>>;
  /**
   * Runs on the created application before it is initialised: connect microservice
   * transports here (e.g. `connectInbox` of `@fulfil/messaging` for Kafka consumers). The kit
   * starts them after initialisation and closes them on shutdown.
   */
  readonly configure?: (app: INestApplication) => void | Promise<void>;
}
