import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { httpRequest } from './http-request';

/**
 * A local server answering each request with `handle`; counts the connections it accepted and
 * can close them all at once, as its keep-alive timeout does with idle ones.
 */
async function serve(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handle(req, res, body));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    connections += 1;
  });
  let connections = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    dropConnections: () => sockets.forEach((socket) => socket.destroy()),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('httpRequest', () => {
  it('sends the body and headers, answers any status, and keeps the connection for the next call', async () => {
    const server = await serve((req, res, body) => {
      res.writeHead(body ? 201 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body }));
    });
    try {
      const created = await httpRequest(`${server.url}/v1/payments`, {
        method: 'POST',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: '{"amount":1}',
        timeoutMs: 2_000,
      });
      expect(created.status).toBe(201);
      expect(JSON.parse(created.body)).toEqual({
        method: 'POST',
        auth: 'Bearer k',
        body: '{"amount":1}',
      });
      const missing = await httpRequest(`${server.url}/v1/payments/x`, {
        method: 'GET',
        headers: {},
        timeoutMs: 2_000,
      });
      expect(missing.status).toBe(404);
      expect(server.connections()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('clears its deadline once answered (no timer left per request)', async () => {
    const server = await serve((_req, res) => res.end('{}'));
    // Watches the deadlines themselves: counting the process's active timers is racy, as the
    // previous test's sockets drop theirs at any moment.
    const deadlines: NodeJS.Timeout[] = [];
    const realSetTimeout = global.setTimeout;
    const setTimer = jest.spyOn(global, 'setTimeout').mockImplementation(((
      ...args: Parameters<typeof setTimeout>
    ) => {
      const timer = realSetTimeout(...args);
      if (args[1] === 60_000) deadlines.push(timer);
      return timer;
    }) as typeof setTimeout);
    const clearTimer = jest.spyOn(global, 'clearTimeout');
    const cleared = new Set<unknown>();
    try {
      for (let i = 0; i < 5; i += 1) {
        await httpRequest(server.url, { method: 'GET', headers: {}, timeoutMs: 60_000 });
      }
      for (const [timer] of clearTimer.mock.calls) cleared.add(timer);
    } finally {
      setTimer.mockRestore();
      clearTimer.mockRestore();
      await server.close();
    }
    expect(deadlines).toHaveLength(5);
    expect(deadlines.filter((timer) => !cleared.has(timer))).toEqual([]);
  });

  it('rejects when no answer comes in time', async () => {
    const server = await serve(() => undefined);
    try {
      const started = Date.now();
      await expect(
        httpRequest(server.url, { method: 'GET', headers: {}, timeoutMs: 200 }),
      ).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await server.close();
    }
  });

  it('rejects when the connection closes in the middle of the answer', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.destroy(), 20);
    });
    try {
      await expect(
        httpRequest(server.url, { method: 'GET', headers: {}, timeoutMs: 2_000 }),
      ).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  describe('on a kept-alive connection the server closes as the request goes out', () => {
    // The server closes its end and the next request is written in the same tick, before the
    // client could see the close: it goes out on the dead connection, as when the server's
    // idle timeout fires just then.
    async function afterStaleConnection(options: Parameters<typeof httpRequest>[1]) {
      const received: string[] = [];
      const server = await serve((req, res, body) => {
        received.push(`${req.method} ${body}`);
        res.end('{}');
      });
      try {
        await httpRequest(server.url, { method: 'GET', headers: {}, timeoutMs: 2_000 });
        received.length = 0;
        server.dropConnections();
        const answer = await httpRequest(server.url, options).then(
          ({ status }) => status,
          (error: NodeJS.ErrnoException) => error.code,
        );
        return { answer, received, connections: server.connections() };
      } finally {
        await server.close();
      }
    }

    const post = (body: string) => ({ method: 'POST' as const, body, timeoutMs: 2_000 });
    it.each([
      ['a GET', { method: 'GET' as const, headers: {}, timeoutMs: 2_000 }, 'GET '],
      [
        'a request with an Idempotency-Key',
        { ...post('{"order":1}'), headers: { 'Idempotency-Key': 'k-1' } },
        'POST {"order":1}',
      ],
      [
        'a request marked idempotent',
        { ...post('{"payment":1}'), headers: {}, idempotent: true },
        'POST {"payment":1}',
      ],
    ])('sends %s again on a new connection', async (_what, options, request) => {
      const sent = await afterStaleConnection(options);
      expect(sent).toEqual({ answer: 200, received: [request], connections: 2 });
    });

    it('does not send any other POST twice: the caller gets the connection error', async () => {
      const sent = await afterStaleConnection({ ...post('{"charge":1}'), headers: {} });
      expect(sent).toEqual({ answer: 'ECONNRESET', received: [], connections: 1 });
    });
  });

  it('rejects when nobody listens', async () => {
    const server = await serve(() => undefined);
    await server.close();
    await expect(
      httpRequest(server.url, { method: 'GET', headers: {}, timeoutMs: 2_000 }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
