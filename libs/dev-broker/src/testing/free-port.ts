import { createServer } from 'node:net';

/**
 * Asks the OS for a free TCP port on 127.0.0.1. Used where a broker must come back on the
 * same port after SIGKILL (port 0 would give a new one and clients would lose it).
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a probe server'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
