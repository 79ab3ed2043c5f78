import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The lowest port the kernel hands to outgoing connections. Ports a test reserves for a server
 * that starts later stay below it: listening is refused (EADDRINUSE) while any open connection
 * on the machine uses the same number as its local port, and a test run opens thousands.
 */
function ephemeralPortFloor(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    return Number(low) || 32_768;
  } catch {
    return 32_768;
  }
}

const LOWEST_TEST_PORT = 10_000;

/** Whether 127.0.0.1:`port` can be listened on right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.unref();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * A random offset that moves every port in `ports` onto ports free a moment ago, all of them
 * between 10000 and the kernel's outgoing-connection range.
 */
export async function freePortOffset(ports: readonly number[]): Promise<number> {
  const lowest = LOWEST_TEST_PORT - Math.min(...ports);
  const highest = ephemeralPortFloor() - 1 - Math.max(...ports);
  for (let attempt = 0; attempt < 50; attempt++) {
    const offset = lowest + Math.floor(Math.random() * (highest - lowest));
    const free = await Promise.all(ports.map((port) => portIsFree(port + offset)));
    if (free.every(Boolean)) return offset;
  }
  throw new Error(`no free range for ports ${ports.join(', ')}`);
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, below the outgoing-connection range
 * (callers retry on the rare clash), and none of `avoid`: ports chosen for servers that have
 * not bound them yet, which look free too. Port 0 moved by the offset is the port itself.
 */
export async function freePort(avoid: Iterable<number> = []): Promise<number> {
  const chosen = new Set(avoid);
  for (;;) {
    const port = await freePortOffset([0]);
    if (!chosen.has(port)) return port;
  }
}
