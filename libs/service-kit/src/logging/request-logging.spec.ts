import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import {
  correlationIdMiddleware,
  requestLoggingMiddleware,
  type KitRequest,
} from './request-logging';

/** A loopback server behind the kit's two middleware, answering `?status=` (or never: /hang). */
async function serverLoggingAt(level: pino.Level) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const logger = pino({ level, base: { service: 'fixture' } }, sink);
  const correlate = correlationIdMiddleware();
  const log = requestLoggingMiddleware(logger);
  const server: Server = createServer((req: KitRequest, res) =>
    correlate(req, res, () =>
      log(req, res, () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (url.searchParams.has('caller')) req.caller = url.searchParams.get('caller')!;
        if (url.pathname === '/hang') return void setTimeout(() => res.destroy(), 10);
        res.statusCode = Number(url.searchParams.get('status') ?? 200);
        res.end('done');
      }),
    ),
  );
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const send = async (path: string) => {
    await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'x-correlation-id': 'corr-1', 'user-agent': 'spec/1', authorization: 'Bearer t' },
      body: '{}',
    })
      .then((res) => res.text())
      .catch(() => undefined);
    // The line is written when the response ends on the server side.
    await new Promise((settled) => setTimeout(settled, 20));
  };
  return { lines, send, close: () => new Promise((closed) => server.close(closed)) };
}

describe('requestLoggingMiddleware', () => {
  let server: Awaited<ReturnType<typeof serverLoggingAt>>;
  afterEach(() => server.close());

  it('logs one line per request with correlation id, request, caller, status and time', async () => {
    server = await serverLoggingAt('info');
    await server.send('/orders?status=201&caller=storefront');
    expect(server.lines).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        service: 'fixture',
        correlationId: 'corr-1',
        req: { method: 'POST', url: '/orders?status=201&caller=storefront', userAgent: 'spec/1' },
        caller: 'storefront',
        res: { statusCode: 201 },
        responseTime: expect.any(Number),
        msg: 'request completed',
      },
    ]);
    // Same member order as pino-http wrote them (log processors may rely on it).
    expect(Object.keys(server.lines[0]!).slice(3)).toEqual([
      'correlationId',
      'req',
      'caller',
      'res',
      'responseTime',
      'msg',
    ]);
  });

  it('logs a 4xx at warn, and a 5xx at error as errored with an err', async () => {
    server = await serverLoggingAt('info');
    await server.send('/orders?status=404');
    await server.send('/orders?status=503');
    expect(server.lines).toEqual([
      expect.objectContaining({ level: 40, res: { statusCode: 404 }, msg: 'request completed' }),
      expect.objectContaining({
        level: 50,
        res: { statusCode: 503 },
        err: expect.objectContaining({ message: 'failed with status code 503' }),
        msg: 'request errored',
      }),
    ]);
    expect(server.lines[0]).not.toHaveProperty('caller');
  });

  it('logs a request whose connection closed before the answer as aborted', async () => {
    server = await serverLoggingAt('info');
    await server.send('/hang');
    expect(server.lines).toEqual([
      expect.objectContaining({ level: 30, res: { statusCode: null }, msg: 'request aborted' }),
    ]);
  });

  it('writes nothing below the logger level, and nothing for probes and scrapes', async () => {
    server = await serverLoggingAt('warn');
    await server.send('/orders?status=201');
    await server.send('/health/ready?status=503');
    await server.send('/metrics?status=500');
    await server.send('/orders?status=409');
    expect(server.lines).toEqual([expect.objectContaining({ res: { statusCode: 409 } })]);
  });
});
