import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { startTestInfrastructure } from '@fulfil/testing';
import pino from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { loadServiceConfig } from '../config/service-config';
import { preparedStatementName } from '../database/prepared-statement-client';
import { fixtureDefinition } from '../testing/fixture-service.fixture';
import { createServiceApp } from './create-service-app';

type Infrastructure = Awaited<ReturnType<typeof startTestInfrastructure>>;

const WRITER = 'writer-token-0123456789';
const READER = 'reader-token-0123456789';

describe('service kit on real PostgreSQL and Kafka', () => {
  let infra: Infrastructure | undefined;
  let app: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  const logLines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    const config = loadServiceConfig(fixtureDefinition, {
      DATABASE_URL: infra.postgresUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      AUTH_TOKENS: JSON.stringify([
        { caller: 'storefront', token: WRITER, scopes: ['fixtures:write'] },
        { caller: 'bi', token: READER, scopes: ['fixtures:read'] },
      ]),
      HTTP_BODY_LIMIT: '2kb',
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          logLines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    app = await createServiceApp(fixtureDefinition, config, {
      logger: pino({ level: 'info', base: { service: config.service } }, sink),
    });
    http = app.getHttpServer();
  });

  afterAll(async () => {
    await app?.close();
    await infra?.stop();
  });

  const validBody = { reference: 'R-1', lines: [{ sku: 'SKU-1', quantity: 2 }] };
  const post = (body: string | object, token: string | null = WRITER) => {
    const req = request(http).post('/fixtures');
    if (token) req.set('Authorization', `Bearer ${token}`);
    return typeof body === 'string'
      ? req.set('Content-Type', 'application/json').send(body)
      : req.send(body);
  };
  const expectProblem = (res: request.Response, status: number, type: string): void => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: `https://fulfil.dev/problems/${type}`, status });
    expect(typeof res.body.title).toBe('string');
  };

  it('answers liveness and readiness', async () => {
    await request(http).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(http).get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', kafka: 'up' } });
  });

  it('keeps its database connections through lulls and runs parameterised statements prepared', async () => {
    const dataSource = app.get(DataSource);
    const pool = (dataSource.driver as unknown as { master: { options: Record<string, unknown> } })
      .master;
    expect(pool.options.idleTimeoutMillis).toBe(60_000);
    const text = 'SELECT name FROM pg_prepared_statements WHERE name = $1';
    const name = preparedStatementName(text)!;
    // The statement finds itself: it runs as the prepared statement it looks for.
    expect(await dataSource.query(text, [name])).toEqual([{ name }]);
  });

  it('accepts a valid request with the needed scope and passes the caller and a DTO', async () => {
    const res = await post(validBody).expect(201);
    expect(res.body).toEqual({ reference: 'R-1', lines: 1, caller: 'storefront', isDto: true });
  });

  it('exposes Prometheus metrics with the request histogram by route pattern', async () => {
    await post(validBody).expect(201);
    const res = await request(http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    // Still reported with the kit's own sampling interval (EVENT_LOOP_SAMPLE_INTERVAL_MS).
    expect(res.text).toMatch(/nodejs_eventloop_lag_p99_seconds\{[^}]*\} \d/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{[^}]*method="POST",route="\/fixtures",status_code="201"[^}]*\} [1-9]/,
    );
  });

  it('serves Swagger UI and the OpenAPI document with bearer auth and scopes', async () => {
    const ui = await request(http).get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = await request(http).get('/docs-json').expect(200);
    expect(doc.body.info.title).toBe('Fixture service');
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ scheme: 'bearer' });
    expect(doc.body.components.securitySchemes.bearer.description).toContain('fixtures:write');
    expect(doc.body.paths['/fixtures'].post['x-required-scopes']).toEqual(['fixtures:write']);
    expect(doc.body.paths['/health/live']).toBeUndefined();
  });

  it('answers malformed JSON with 400', async () => {
    const res = await post('{"reference": ');
    expectProblem(res, 400, 'malformed-json');
  });

  it('names an unknown property', async () => {
    const res = await post({ ...validBody, discount: 5 });
    expectProblem(res, 400, 'validation-error');
    expect(res.body.errors).toEqual([
      { field: 'discount', message: 'property discount should not exist' },
    ]);
  });

  it('names a missing field and a nested one', async () => {
    const res = await post({ lines: [{ sku: 'SKU-1', quantity: 0 }] });
    expectProblem(res, 400, 'validation-error');
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['reference', 'lines[0].quantity']));
  });

  it('rejects a body over HTTP_BODY_LIMIT with 413', async () => {
    const res = await post({ reference: 'x'.repeat(4096), lines: [] });
    expectProblem(res, 413, 'payload-too-large');
  });

  it('rejects a body that is not JSON with 415', async () => {
    const res = await request(http)
      .post('/fixtures')
      .set('Authorization', `Bearer ${WRITER}`)
      .set('Content-Type', 'text/plain')
      .send('hello');
    expectProblem(res, 415, 'unsupported-media-type');
  });

  it('answers a missing or unknown token with 401 and WWW-Authenticate', async () => {
    const missing = await post(validBody, null);
    expectProblem(missing, 401, 'unauthorized');
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await post(validBody, 'not-a-configured-token-at-all');
    expectProblem(wrong, 401, 'unauthorized');
    expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers a token without the scope with 403', async () => {
    const res = await post(validBody, READER);
    expectProblem(res, 403, 'forbidden');
    expect(res.body.detail).toContain('fixtures:write');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await request(http).get('/no/such/route');
    expectProblem(res, 404, 'not-found');
    expect(res.body.instance).toBe('/no/such/route');
  });

  it('answers a bug with a generic 500 and logs it with its stack', async () => {
    const res = await request(http).get('/fixtures/boom').set('Authorization', `Bearer ${WRITER}`);
    expectProblem(res, 500, 'internal-error');
    expect(JSON.stringify(res.body)).not.toContain('secret internals');
    const logged = logLines.find((line) => line['msg'] === 'Unhandled error');
    expect(JSON.stringify(logged)).toContain('fixture bug: secret internals');
    expect(logged).toMatchObject({ service: 'fixture', level: 50 });
  });

  it('echoes the correlation id, generates one when absent, and logs with it', async () => {
    const echoed = await post(validBody).set('X-Correlation-Id', 'corr-42').expect(201);
    expect(echoed.headers['x-correlation-id']).toBe('corr-42');
    const generated = await request(http).get('/health/live');
    expect(generated.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    const requestLog = logLines.find((line) => line['correlationId'] === 'corr-42');
    expect(requestLog).toMatchObject({ service: 'fixture', caller: 'storefront' });
    expect(JSON.stringify(logLines)).not.toContain(WRITER);
  });

  it('reports not ready, naming Kafka, once the broker is gone', async () => {
    await infra?.stop();
    infra = undefined;
    const res = await request(http).get('/health/ready');
    expectProblem(res, 503, 'service-unavailable');
    expect(res.body.checks.kafka).toBe('down');
    expect(res.body.detail).toContain('kafka');
    // Why, in the log: once, with the error, however often the probe asks.
    await request(http).get('/health/ready').expect(503);
    const downLines = logLines.filter((line) => line['msg'] === 'Not ready: kafka is down');
    expect(downLines).toHaveLength(1);
    expect(downLines[0]).toMatchObject({ level: 40, context: 'Readiness' });
    expect(downLines[0]?.['err']).toEqual(expect.objectContaining({ message: expect.any(String) }));
  });
});
