import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a Docker engine usually listens, unless DOCKER_HOST says otherwise. */
function candidateEndpoints(): Array<{ socketPath: string } | { host: string; port: number }> {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost) {
    if (dockerHost.startsWith('unix://'))
      return [{ socketPath: dockerHost.slice('unix://'.length) }];
    const tcp = /^tcp:\/\/([^:/]+):(\d+)/.exec(dockerHost);
    return tcp ? [{ host: tcp[1], port: Number(tcp[2]) }] : [];
  }
  const sockets = [
    '/var/run/docker.sock',
    join(homedir(), '.docker/run/docker.sock'),
    join(homedir(), '.docker/desktop/docker.sock'),
    ...(process.env.XDG_RUNTIME_DIR ? [join(process.env.XDG_RUNTIME_DIR, 'docker.sock')] : []),
  ];
  return sockets.filter((path) => existsSync(path)).map((socketPath) => ({ socketPath }));
}

function ping(
  endpoint: { socketPath: string } | { host: string; port: number },
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { ...endpoint, path: '/_ping', method: 'GET', timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

let cached: Promise<boolean> | undefined;

/**
 * Whether a Docker engine answers `/_ping` (DOCKER_HOST, else the usual socket paths) within
 * `timeoutMs`. Quiet and cheap: no Testcontainers start-up, no output; cached per module
 * instance. A TLS-protected DOCKER_HOST is not probed (it counts as unreachable).
 */
export function isDockerReachable(timeoutMs = 1_000): Promise<boolean> {
  cached ??= (async () => {
    for (const endpoint of candidateEndpoints()) {
      if (await ping(endpoint, timeoutMs)) return true;
    }
    return false;
  })();
  return cached;
}
