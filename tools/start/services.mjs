/* global fetch, AbortSignal, setTimeout, clearTimeout */
// The platform's services as child processes of `npm start`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { forEachLine, prefixedLogger } from './output.mjs';

/**
 * The services to run, in catalog order: those with a folder under services/ and a compiled
 * `dist/services/<name>/src/main.js` (restricted to FULFIL_SERVICES when set). Also returns
 * the folders that exist but did not compile to a main.js, to report them.
 */
export function discoverServices(config, catalog) {
  const runnable = [];
  const withoutMain = [];
  for (const entry of Object.values(catalog)) {
    if (config.services && !config.services.includes(entry.name)) continue;
    if (!existsSync(join(config.root, 'services', entry.name))) continue;
    const main = join(config.root, 'dist/services', entry.name, 'src/main.js');
    if (existsSync(main)) {
      runnable.push({ ...entry, main, port: entry.defaultPort + config.servicePortOffset });
    } else {
      withoutMain.push(entry.name);
    }
  }
  const unknown = (config.services ?? []).filter((name) => !catalog[name]);
  return { runnable, withoutMain, unknown };
}

/**
 * Every scope a local caller may need: `<service>:read` and `<service>:write` for each
 * catalog service, plus the scopes the compiled service definitions declare.
 */
export function localScopes(config, catalog, require) {
  const scopes = new Set();
  for (const name of Object.keys(catalog)) {
    scopes.add(`${name}:read`);
    scopes.add(`${name}:write`);
    const definitionFile = join(config.root, 'dist/services', name, 'src/service.definition.js');
    if (!existsSync(definitionFile)) continue;
    try {
      for (const exported of Object.values(require(definitionFile))) {
        for (const scope of Object.keys(exported?.scopes ?? {})) scopes.add(scope);
      }
    } catch {
      // A definition that does not load is reported when the service itself starts.
    }
  }
  return [...scopes];
}

/**
 * Node flags of every service, before `FULFIL_SERVICE_NODE_ARGS` (which can override them).
 * A young generation of 32 MB semi-spaces instead of V8's 16: the services allocate fast and
 * keep little, so half as many scavenges, and fewer short-lived objects promoted to the old
 * generation. Measured at 80 orders/s: GC pauses 5.5 % of the services' CPU at 16 MB, 3.8 % at
 * 32, 3.3 % at 64, for about 35 MB more memory a service at 32 (docs/order-lifecycle.md).
 */
const SERVICE_NODE_ARGS = ['--enable-source-maps', '--max-semi-space-size=32'];

/** Starts one service; its stdout and stderr lines are printed with its name in front. */
export function spawnService(service, environment) {
  const nodeArgs = [...SERVICE_NODE_ARGS, ...(environment.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, service.main], {
    cwd: environment.root,
    env: {
      ...process.env,
      PORT: String(service.port),
      HOST: '127.0.0.1',
      DATABASE_URL: environment.databaseUrl(service.database),
      KAFKA_BROKERS: environment.kafkaBrokers.join(','),
      AUTH_TOKENS: environment.authTokens,
      LOG_LEVEL: environment.logLevel,
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      // Payments' embedded provider simulator moves with the service port offset (3003 → 3103).
      PAYMENT_SIMULATOR_PORT: process.env.PAYMENT_SIMULATOR_PORT ?? String(service.port + 100),
    },
    // Own process group: a terminal's Ctrl-C reaches only `npm start`, which then stops the
    // services before the broker and PostgreSQL they depend on.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = prefixedLogger(service.name);
  forEachLine(child.stdout, log);
  forEachLine(child.stderr, log);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.once('error', (error) => log(`could not start: ${error.message}`));
  return { ...service, child, exited };
}

/**
 * What `url` answers: null for 200, else why not, for the log — the status and the problem's
 * detail (`503: Failed readiness check(s): kafka.`), or `no answer: ECONNREFUSED` when the
 * service does not listen (yet).
 */
async function notReadyReason(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const body = await response.text();
    if (response.status === 200) return null;
    return `${response.status}${problemDetail(body)}`;
  } catch (error) {
    return `no answer: ${error.cause?.code ?? error.message}`;
  }
}

function problemDetail(body) {
  try {
    const { detail } = JSON.parse(body);
    return typeof detail === 'string' ? `: ${detail}` : '';
  } catch {
    return '';
  }
}

/**
 * Polls every service's `/health/ready` until all answer 200. Resolves with the services that
 * are still not ready when `timeoutMs` runs out, each as `name (its last answer)` (empty when
 * all are ready), or early when `abort` settles (a service died).
 */
export async function waitUntilReady(services, timeoutMs, abort) {
  const pending = new Map(services.map((service) => [service.name, 'not asked yet']));
  const deadline = Date.now() + timeoutMs;
  let aborted = false;
  void abort.then(() => (aborted = true));
  while (pending.size > 0 && Date.now() < deadline && !aborted) {
    await Promise.all(
      services
        .filter((service) => pending.has(service.name))
        .map(async (service) => {
          const reason = await notReadyReason(`http://127.0.0.1:${service.port}/health/ready`);
          if (reason === null) pending.delete(service.name);
          else pending.set(service.name, reason);
        }),
    );
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return [...pending].map(([name, reason]) => `${name} (${reason})`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopService(service, graceMs) {
  const running = () => service.child.exitCode === null && service.child.signalCode === null;
  if (running()) service.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (running()) {
      prefixedLogger(service.name)(`did not stop within ${graceMs} ms: SIGKILL`);
      service.child.kill('SIGKILL');
    }
  }, graceMs);
  try {
    return await service.exited;
  } finally {
    clearTimeout(timer);
  }
}
