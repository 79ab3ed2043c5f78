import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { configOrExit } from '../config/exit-on-config-error';
import { loadServiceConfig, type ServiceConfig } from '../config/service-config';
import { createServiceLogger } from '../logging/create-service-logger';
import type { ServiceDefinition } from '../service-definition';
import { createServiceApp } from './create-service-app';

const HOOKS_TIMEOUT_MS = 10_000;

/**
 * Stops accepting connections, lets in-flight requests finish for up to the grace period,
 * then cuts the rest and closes the application (its shutdown hooks close Kafka and the
 * database).
 */
export async function shutdownGracefully(app: INestApplication, graceMs: number): Promise<void> {
  const server = app.getHttpServer() as Server;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
  await app.close();
}

/**
 * The whole `main.ts` of a service: validates configuration (one line on stderr and exit 1
 * when it is wrong), creates the app, listens and logs its URL, and on SIGTERM/SIGINT shuts
 * down gracefully and exits 0.
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const config: ServiceConfig = configOrExit(() => loadServiceConfig(definition, process.env));
  const logger = createServiceLogger(config);
  let app: INestApplication;
  try {
    app = await createServiceApp(definition, config, { logger });
    await app.listen(config.port, config.host);
  } catch (error) {
    logger.fatal({ err: error }, 'Service failed to start');
    process.exit(1);
  }
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.info({ url: `http://${host}:${config.port}` }, `${definition.title} listening`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'Shutting down');
    const hardStop = setTimeout(() => {
      logger.error('Shutdown hooks did not finish in time');
      process.exit(1);
    }, config.shutdownGraceMs + HOOKS_TIMEOUT_MS);
    hardStop.unref();
    shutdownGracefully(app, config.shutdownGraceMs).then(
      () => {
        logger.info('Stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
