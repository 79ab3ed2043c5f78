import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { freePort, freePortOffset } from './free-port';

const ephemeralFloor = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('free ports for servers a test starts later', () => {
  it('moves every port of a set below the outgoing-connection range, onto listenable ports', async () => {
    const ports = [3001, 3006, 3101, 3106];
    const offset = await freePortOffset(ports);
    const moved = ports.map((port) => port + offset);
    expect(Math.min(...moved)).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...moved)).toBeLessThan(ephemeralFloor);
    const servers = await Promise.all(moved.map(listen));
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  });

  it('gives single ports in the same range', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(ephemeralFloor);
    const server = await listen(port);
    await new Promise((done) => server.close(done));
  });

  it('never gives a port chosen already for a server not listening yet', async () => {
    // The first two draws land on the avoided port (free: nothing listens on it), the third not.
    const avoided = await freePort();
    const draws = [avoided, avoided, avoided + 1].map(
      (port) => (port - 10_000 + 0.5) / (ephemeralFloor - 1 - 10_000),
    );
    const random = jest.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0.5);
    try {
      expect(await freePort([avoided])).toBe(avoided + 1);
    } finally {
      random.mockRestore();
    }
  });
});
