import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { createServiceApp, loadServiceConfig } from '@fulfil/service-kit';
import { startTestInfrastructure } from '@fulfil/testing';
import { Client } from 'pg';
import request from 'supertest';
import { SERVICE_DEFINITIONS } from '../tools/openapi/service-definitions';

type Infrastructure = Awaited<ReturnType<typeof startTestInfrastructure>>;

// Every service boots on real PostgreSQL and Kafka: one infrastructure, a database per
// service (named after its catalog database, made unique per run), created by the service.
describe.each(SERVICE_DEFINITIONS.map((definition) => [definition.catalog.name, definition]))(
  'the %s service',
  (_name, definition) => {
    let infra: Infrastructure;
    let app: INestApplication;
    let databaseUrl: URL;
    const token = `${definition.catalog.name}-test-token-${randomUUID()}`;

    beforeAll(async () => {
      infra = await startTestInfrastructure();
      databaseUrl = new URL(infra.postgresServerUrl);
      databaseUrl.pathname = `/${definition.catalog.database}_${randomUUID().slice(0, 8)}`;
      const config = loadServiceConfig(definition, {
        DATABASE_URL: databaseUrl.toString(),
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        AUTH_TOKENS: JSON.stringify([
          { caller: 'ops', token, scopes: Object.keys(definition.scopes) },
        ]),
        LOG_LEVEL: 'warn',
      });
      app = await createServiceApp(definition, config);
    });

    afterAll(async () => {
      await app?.close();
      await infra?.stop();
    });

    it('creates its own database', async () => {
      const admin = new URL(infra.postgresServerUrl);
      admin.pathname = '/postgres';
      const client = new Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
          databaseUrl.pathname.slice(1),
        ]);
        expect(rows).toHaveLength(1);
      } finally {
        await client.end();
      }
    });

    it('is live and ready', async () => {
      const http = app.getHttpServer();
      await request(http).get('/health/live').expect(200, { status: 'ok' });
      await request(http).get('/health/ready').expect(200);
    });

    it('serves metrics and its OpenAPI document', async () => {
      const http = app.getHttpServer();
      const metrics = await request(http).get('/metrics').expect(200);
      expect(metrics.text).toContain('http_request_duration_seconds');
      const doc = await request(http).get('/docs-json').expect(200);
      expect(doc.body.info.title).toBe(definition.title);
      expect(Object.keys(doc.body['x-scopes'])).toEqual([
        `${definition.catalog.name}:read`,
        `${definition.catalog.name}:write`,
      ]);
    });
  },
);
