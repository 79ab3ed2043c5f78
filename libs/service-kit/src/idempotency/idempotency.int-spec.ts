import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { startTestInfrastructure } from '@fulfil/testing';
import pino from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createServiceApp } from '../app/create-service-app';
import { loadServiceConfig } from '../config/service-config';
import { idempotencyFixtureDefinition, paymentsGate } from '../testing/idempotency-fixture.fixture';
import { IdempotencyStore } from './idempotency.store';

type Infrastructure = Awaited<ReturnType<typeof startTestInfrastructure>>;

const STOREFRONT = 'storefront-token-0123456789';
const POS = 'pos-token-0123456789abcdef';

describe('Idempotency-Key on real PostgreSQL', () => {
  let infra: Infrastructure | undefined;
  let app: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  let dataSource: DataSource;

  beforeAll(async () => {
    infra = await startTestInfrastructure();
    const config = loadServiceConfig(idempotencyFixtureDefinition, {
      DATABASE_URL: infra.postgresUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      AUTH_TOKENS: JSON.stringify([
        { caller: 'storefront', token: STOREFRONT, scopes: ['fixtures:write'] },
        { caller: 'pos', token: POS, scopes: ['fixtures:write'] },
      ]),
    });
    app = await createServiceApp(idempotencyFixtureDefinition, config, {
      logger: pino({ level: 'silent' }),
    });
    http = app.getHttpServer();
    dataSource = app.get(DataSource);
  });

  afterAll(async () => {
    paymentsGate.open();
    await app?.close();
    await infra?.stop();
  });

  const send = (
    method: 'post' | 'put',
    path: string,
    body: string | object,
    key: string | null,
    token = STOREFRONT,
  ): request.Test => {
    const req = request(http)[method](path).set('Authorization', `Bearer ${token}`);
    if (key !== null) req.set('Idempotency-Key', key);
    return typeof body === 'string'
      ? req.set('Content-Type', 'application/json').send(body)
      : req.send(body);
  };
  const post = (path: string, body: string | object, key: string | null, token?: string) =>
    send('post', path, body, key, token);
  /** Starts a request now (supertest only sends once awaited) and gives its eventual response. */
  const start = (test: request.Test): Promise<request.Response> => test.then((res) => res);

  const executions = async (reference: string): Promise<number> => {
    const [row] = (await dataSource.query(
      'SELECT count(*)::int AS count FROM fixture_payment_attempts WHERE reference = $1',
      [reference],
    )) as Array<{ count: number }>;
    return row!.count;
  };
  const keyRows = async (key: string): Promise<number> => {
    const [row] = (await dataSource.query(
      'SELECT count(*)::int AS count FROM idempotency_keys WHERE idempotency_key = $1',
      [key],
    )) as Array<{ count: number }>;
    return row!.count;
  };
  /** Polls `condition` (a deadline, not a timing assertion). */
  const waitFor = async (what: string, condition: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const expectProblem = (res: request.Response, status: number, type: string): void => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: `https://fulfil.dev/problems/${type}`, status });
  };

  it('answers the first request normally and replays it for the same key and body', async () => {
    const key = randomUUID();
    const body = { reference: 'first-and-replay', amount: 1200 };
    const first = await post('/payments', body, key).expect(201);
    expect(first.body).toEqual({
      id: expect.any(Number),
      reference: 'first-and-replay',
      amount: 1200,
      caller: 'storefront',
    });
    expect(first.headers['location']).toBe(`/payments/${first.body.id}`);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const replay = await post('/payments', body, key).expect(201);
    expect(replay.text).toBe(first.text);
    expect(replay.headers['content-type']).toBe(first.headers['content-type']);
    expect(replay.headers['location']).toBe(first.headers['location']);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await executions('first-and-replay')).toBe(1);
  });

  it('treats a re-serialised body (other key order and whitespace) as the same request', async () => {
    const key = randomUUID();
    const first = await post('/payments', '{"reference":"reordered","amount":7}', key).expect(201);
    const replay = await post('/payments', '{ "amount": 7,\n  "reference": "reordered" }', key);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await executions('reordered')).toBe(1);
  });

  it('answers the same key with another body with 422 and does not run the handler', async () => {
    const key = randomUUID();
    await post('/payments', { reference: 'reused', amount: 100 }, key).expect(201);
    const res = await post('/payments', { reference: 'reused', amount: 101 }, key);
    expectProblem(res, 422, 'idempotency-key-reused');
    expect(res.body.detail).toContain('Idempotency-Key');
    expect(await executions('reused')).toBe(1);
  });

  it('fingerprints the concrete path but scopes keys by route pattern', async () => {
    const key = randomUUID();
    const put = (path: string) => send('put', path, { amount: 5 }, key);
    const onA = await put('/payments/scoped-a').expect(200);
    expect(onA.body).toMatchObject({ reference: 'scoped-a', amount: 5 });
    expectProblem(await put('/payments/scoped-b'), 422, 'idempotency-key-reused');
    expect(await executions('scoped-b')).toBe(0);
    // The same key on another route is another key.
    await post('/payments', { reference: 'scoped-a', amount: 5 }, key).expect(201);
    expect(await executions('scoped-a')).toBe(2);
  });

  it('lets exactly one of two concurrent requests run; the other gets 409 with Retry-After', async () => {
    const key = randomUUID();
    const body = { reference: 'concurrent', amount: 300, outcome: 'hold' };
    paymentsGate.close();
    let responses: request.Response[];
    try {
      const pending = [start(post('/payments', body, key)), start(post('/payments', body, key))];
      // The request that got the key waits at the gate, so the first answer is the other one.
      const earlier = await Promise.race(pending);
      expectProblem(earlier, 409, 'idempotency-key-in-progress');
      expect(earlier.headers['retry-after']).toBe('1');
      paymentsGate.open();
      responses = await Promise.all(pending);
    } finally {
      paymentsGate.open();
    }
    expect(responses.map((res) => res.status).sort()).toEqual([201, 409]);
    expect(await executions('concurrent')).toBe(1);

    const done = responses.find((res) => res.status === 201)!;
    const replay = await post('/payments', body, key).expect(201);
    expect(replay.body).toEqual(done.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await executions('concurrent')).toBe(1);
  });

  it('stores a client error (4xx) of the handler and replays it', async () => {
    const key = randomUUID();
    const body = { reference: 'declined', amount: 50, outcome: 'decline' };
    const first = await post('/payments', body, key);
    expectProblem(first, 422, 'payment-declined');
    expect(first.body.instance).toBe('/payments');

    const replay = await post('/payments', body, key);
    expectProblem(replay, 422, 'payment-declined');
    expect(replay.text).toBe(first.text);
    expect(replay.headers['content-type']).toBe(first.headers['content-type']);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await executions('declined')).toBe(1);
  });

  it('does not store a server error: the key is released and a retry runs again', async () => {
    const key = randomUUID();
    const body = { reference: 'crashing', amount: 50, outcome: 'crash' };
    expectProblem(await post('/payments', body, key), 500, 'internal-error');
    expect(await keyRows(key)).toBe(0);
    const retry = await post('/payments', body, key);
    expectProblem(retry, 500, 'internal-error');
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await executions('crashing')).toBe(2);
  });

  it('releases the key again once the database is back, when it was unreachable at first', async () => {
    const store = app.get(IdempotencyStore);
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const release = jest.spyOn(store, 'release').mockRejectedValueOnce(unreachable);
    try {
      const key = randomUUID();
      const body = { reference: 'release-retried', amount: 50, outcome: 'crash' };
      expectProblem(await post('/payments', body, key), 500, 'internal-error');
      expect(await keyRows(key)).toBe(1);
      await waitFor('the key released', async () => (await keyRows(key)) === 0);
      expect(release).toHaveBeenCalledTimes(2);
    } finally {
      release.mockRestore();
    }
  });

  it('releases the key when validation rejects the body, so the fixed request can use it', async () => {
    const key = randomUUID();
    const invalid = await post('/payments', { reference: 'fixed-later', amount: 0 }, key);
    expectProblem(invalid, 400, 'validation-error');
    const fixed = await post('/payments', { reference: 'fixed-later', amount: 10 }, key);
    expect(fixed.status).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    expect(await executions('fixed-later')).toBe(1);
  });

  it('requires the header on a route marked required, naming it in the problem', async () => {
    const res = await post('/payments/strict', { reference: 'strict', amount: 1 }, null);
    expectProblem(res, 400, 'idempotency-key-missing');
    expect(res.body).toMatchObject({ header: 'Idempotency-Key' });
    expect(res.body.detail).toContain('Idempotency-Key');
    expect(await executions('strict')).toBe(0);
    await post('/payments/strict', { reference: 'strict', amount: 1 }, randomUUID()).expect(201);
    expect(await executions('strict')).toBe(1);
  });

  it('runs every request without a key on a route where it is optional', async () => {
    const body = { reference: 'keyless', amount: 3 };
    await post('/payments', body, null).expect(201);
    await post('/payments', body, null).expect(201);
    expect(await executions('keyless')).toBe(2);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['not ASCII', 'clé-1'],
  ])('rejects a malformed key (%s) with 400 naming the header', async (_name, key) => {
    const res = await post('/payments', { reference: 'malformed', amount: 1 }, key);
    expectProblem(res, 400, 'idempotency-key-invalid');
    expect(res.body.detail).toContain('Idempotency-Key');
    expect(await executions('malformed')).toBe(0);
  });

  it('accepts a key of 255 printable characters', async () => {
    const key = `${'~ '.repeat(127)}!`;
    await post('/payments', { reference: 'longest-key', amount: 1 }, key).expect(201);
    const replay = await post('/payments', { reference: 'longest-key', amount: 1 }, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('keeps the keys of different callers apart', async () => {
    const key = randomUUID();
    const body = { reference: 'two-callers', amount: 20 };
    const storefront = await post('/payments', body, key, STOREFRONT).expect(201);
    const pos = await post('/payments', body, key, POS).expect(201);
    expect(storefront.body.caller).toBe('storefront');
    expect(pos.body.caller).toBe('pos');
    expect(pos.headers['idempotent-replayed']).toBeUndefined();
    expect(await executions('two-callers')).toBe(2);
  });

  it('lets a retry take over a key abandoned past its lock timeout', async () => {
    const key = randomUUID();
    const body = { reference: 'abandoned', amount: 8, outcome: 'hold' };
    paymentsGate.close();
    let stuck: Promise<request.Response> | undefined;
    let takeover: Promise<request.Response> | undefined;
    try {
      // The first request hangs in its handler, as if its process had died.
      stuck = start(post('/payments/short-lock', body, key));
      await waitFor('the first execution', async () => (await executions('abandoned')) === 1);
      await waitFor('the lock to time out', async () => {
        const [row] = (await dataSource.query(
          'SELECT locked_until <= now() AS expired FROM idempotency_keys WHERE idempotency_key = $1',
          [key],
        )) as Array<{ expired: boolean }>;
        return row?.expired === true;
      });
      takeover = start(post('/payments/short-lock', body, key));
      await waitFor('the takeover execution', async () => (await executions('abandoned')) === 2);
    } finally {
      paymentsGate.open();
    }
    const [late, winner] = await Promise.all([stuck, takeover]);
    expect(late!.status).toBe(201);
    expect(winner!.status).toBe(201);
    expect(winner!.body.id).not.toBe(late!.body.id);

    // The key belongs to the takeover: the late first request could not store its answer.
    const replay = await post('/payments/short-lock', body, key).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(winner!.body);
    expect(await executions('abandoned')).toBe(2);
  });

  it('stores or releases a key only for the claim that still holds it', async () => {
    const store = app.get(IdempotencyStore);
    const scope = { caller: 'store-spec', method: 'POST', route: '/direct', key: randomUUID() };
    const response = { status: 201, headers: { location: '/x/1' }, body: '{"id":1}' };
    const claim = await store.claim(scope, 'fingerprint', 60_000, 120_000);
    expect(claim).toBeDefined();
    expect(await store.claim(scope, 'fingerprint', 60_000, 120_000)).toBeUndefined();

    const stale = { ...claim!, lockToken: randomUUID() };
    expect(await store.complete(stale, response)).toBe(false);
    await store.release(stale);
    expect(await store.find(scope)).toMatchObject({ state: 'processing', abandoned: false });

    expect(await store.complete(claim!, response)).toBe(true);
    expect(await store.find(scope)).toEqual({
      state: 'completed',
      fingerprint: 'fingerprint',
      response,
    });
    expect(await store.complete(claim!, response)).toBe(false);
  });

  describe('with the answer committed by the handler itself', () => {
    const answeredAhead = async (how: 'commit' | 'differ' | 'rollback') => {
      const complete = jest.spyOn(app.get(IdempotencyStore), 'complete');
      try {
        const key = randomUUID();
        const body = { reference: `ahead-${how}`, amount: 30 };
        const first = await post(`/payments/answered-ahead/${how}`, body, key).expect(201);
        const replay = await post(`/payments/answered-ahead/${how}`, body, key).expect(201);
        expect(replay.headers['idempotent-replayed']).toBe('true');
        expect(replay.text).toBe(first.text);
        expect(replay.headers['content-type']).toBe(first.headers['content-type']);
        expect(replay.headers['location']).toBe(`/payments/${first.body.id}`);
        return { storedAfterwards: complete.mock.calls.length };
      } finally {
        complete.mockRestore();
      }
    };

    it('stores nothing more when the committed answer is the one sent', async () => {
      expect(await answeredAhead('commit')).toEqual({ storedAfterwards: 0 });
      expect(await executions('ahead-commit')).toBe(1);
    });

    it('stores the answer sent when the committed one differs from it', async () => {
      expect(await answeredAhead('differ')).toEqual({ storedAfterwards: 1 });
    });

    it('stores the answer sent when the transaction with the answer rolled back', async () => {
      expect(await answeredAhead('rollback')).toEqual({ storedAfterwards: 1 });
    });
  });

  describe('on a route whose answer takes its key (claimWithAnswer)', () => {
    const path = '/payments/claim-with-answer';
    /** Handler runs waiting at the gate inside their transaction (after their insert). */
    const heldInTransaction = async (): Promise<number> => {
      const [row] = (await dataSource.query(
        `SELECT count(*)::int AS count FROM pg_stat_activity
          WHERE state = 'idle in transaction'
            AND query LIKE 'INSERT INTO fixture_payment_attempts%'`,
      )) as Array<{ count: number }>;
      return row!.count;
    };
    /**
     * Sends `body` (outcome `hold`), and once its handler waits at the gate inside its
     * transaction runs `meanwhile`, then opens the gate: the first response and what `meanwhile`
     * returned.
     */
    const whileHeld = async <T>(body: object, key: string, meanwhile: () => Promise<T>) => {
      paymentsGate.close();
      try {
        const pending = start(post(path, body, key));
        await waitFor('the handler at the gate', async () => (await heldInTransaction()) === 1);
        const during = await meanwhile();
        paymentsGate.open();
        return { first: await pending, during };
      } finally {
        paymentsGate.open();
      }
    };

    it('claims nothing before the handler, commits the answer with its work and replays it', async () => {
      const key = randomUUID();
      const body = { reference: 'with-answer', amount: 40, outcome: 'hold' };
      const { first, during } = await whileHeld(body, key, () => keyRows(key));
      expect(during).toBe(0);
      expect(first.status).toBe(201);
      expect(first.headers['location']).toBe(`/payments/${first.body.id}`);
      expect(await keyRows(key)).toBe(1);

      // The retry runs the handler too: its answer finds the key taken, and it rolls back.
      const replay = await post(path, body, key).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.text).toBe(first.text);
      expect(replay.headers['location']).toBe(first.headers['location']);
      expect(await executions('with-answer')).toBe(1);
    });

    it('answers a request with the key of one still running 409 with Retry-After', async () => {
      const key = randomUUID();
      const body = { reference: 'with-answer-twins', amount: 41, outcome: 'hold' };
      const { first, during } = await whileHeld(body, key, () => post(path, body, key));
      expectProblem(during, 409, 'idempotency-key-in-progress');
      expect(during.headers['retry-after']).toBe('1');
      expect(first.status).toBe(201);
      const replay = await post(path, body, key).expect(201);
      expect(replay.text).toBe(first.text);
      expect(await executions('with-answer-twins')).toBe(1);
    });

    it('answers another body with the key 409 while the first runs, 422 once it answered', async () => {
      const key = randomUUID();
      const reference = 'with-answer-other';
      const other = { reference, amount: 43 };
      const { first, during } = await whileHeld(
        { reference, amount: 42, outcome: 'hold' },
        key,
        () => post(path, other, key),
      );
      expectProblem(during, 409, 'idempotency-key-in-progress');
      expect(first.status).toBe(201);
      expectProblem(await post(path, other, key), 422, 'idempotency-key-reused');
      expect(await executions(reference)).toBe(1);
    });

    it('stores a client error (4xx) of the handler, whose work rolled back, and replays it', async () => {
      const key = randomUUID();
      const body = { reference: 'with-answer-declined', amount: 44, outcome: 'decline' };
      const first = await post(path, body, key);
      expectProblem(first, 422, 'payment-declined');
      const replay = await post(path, body, key);
      expect(replay.text).toBe(first.text);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(await executions('with-answer-declined')).toBe(0);
    });

    it('stores nothing for a server error: a retry runs again', async () => {
      const key = randomUUID();
      const body = { reference: 'with-answer-crashing', amount: 45, outcome: 'crash' };
      expectProblem(await post(path, body, key), 500, 'internal-error');
      expect(await keyRows(key)).toBe(0);
      const retry = await post(path, body, key);
      expectProblem(retry, 500, 'internal-error');
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  it('ignores an expired key and purges expired rows', async () => {
    const key = randomUUID();
    const body = { reference: 'expiring', amount: 4 };
    const expire = () =>
      dataSource.query(
        `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`,
        [key],
      );
    const first = await post('/payments', body, key).expect(201);
    await expire();
    const again = await post('/payments', body, key).expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
    expect(await executions('expiring')).toBe(2);

    await expire();
    expect(await app.get(IdempotencyStore).purgeExpired()).toBe(1);
    expect(await keyRows(key)).toBe(0);
  });

  it('documents the header and the 409/422 answers in OpenAPI', async () => {
    const doc = await request(http).get('/docs-json').expect(200);
    const operation = doc.body.paths['/payments'].post;
    expect(operation.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    );
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['409', '422']));
    const strict = doc.body.paths['/payments/strict'].post;
    expect(strict.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }),
    );
  });
});
