// Steps (c)–(g) of `npm start`: infrastructure, services, readiness, summary and shutdown.
// Loaded by start.mjs only after the build, because it uses compiled code from dist/.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureTopics, startKafka, startPostgres } from './infrastructure.mjs';
import { formatTable, prefixedLogger } from './output.mjs';
import { pidsRecorder } from './pids-file.mjs';
import { loadLocalTokens } from './tokens.mjs';
import {
  discoverServices,
  localScopes,
  spawnService,
  stopService,
  waitUntilReady,
} from './services.mjs';

const log = prefixedLogger('start');

function summary(services, postgres, kafka, tokensFile) {
  const rows = [['service', 'URL', 'API docs']];
  for (const service of services) {
    const url = `http://127.0.0.1:${service.port}`;
    rows.push([service.name, url, `${url}/docs`]);
  }
  return [
    '',
    services.length > 0 ? formatTable(rows) : '(no services built yet: infrastructure only)',
    '',
    `Kafka       ${kafka.description}`,
    `PostgreSQL  ${postgres.description}`,
    `API tokens  ${tokensFile} (caller local-dev; send "Authorization: Bearer <token>")`,
    '',
    'Ctrl-C stops everything.',
  ].join('\n');
}

/** Runs the platform until a signal or a crash; resolves with the process exit code. */
export async function runPlatform(config) {
  const require = createRequire(join(config.root, 'package.json'));
  const localInfra = require(join(config.root, 'dist/libs/local-infra/src/index.js'));
  const { SERVICE_CATALOG, PROVISIONED_TOPICS } = require(
    join(config.root, 'dist/libs/contracts/src/index.js'),
  );
  const pids = pidsRecorder(config.pidsFile);

  const { runnable, withoutMain, unknown } = discoverServices(config, SERVICE_CATALOG);
  if (unknown.length > 0) log(`FULFIL_SERVICES names unknown services: ${unknown.join(', ')}`);
  if (withoutMain.length > 0) {
    log(`not started (no dist/services/<name>/src/main.js): ${withoutMain.join(', ')}`);
  }

  const running = { postgres: undefined, kafka: undefined, services: [] };
  let stopping;
  const stopAll = (reason, exitCode, { force = false } = {}) => {
    stopping ??= (async () => {
      log(`${reason}: stopping`);
      const graceMs = force ? 0 : config.stopGraceMs;
      await Promise.all(running.services.map((service) => stopService(service, graceMs)));
      const results = await Promise.allSettled([running.kafka?.stop(), running.postgres?.stop()]);
      for (const result of results) {
        if (result.status === 'rejected')
          log(`stop failed: ${result.reason?.message ?? result.reason}`);
      }
      log('stopped');
      return results.some((r) => r.status === 'rejected') && exitCode === 0 ? 1 : exitCode;
    })();
    return stopping;
  };
  let signals = 0;
  let resolveStopped;
  const stopped = new Promise((resolve) => (resolveStopped = resolve));
  const onSignal = (signal) => {
    signals++;
    if (signals > 1) {
      log(`${signal} again: killing the services now`);
      for (const service of running.services) service.child.kill('SIGKILL');
      return;
    }
    resolveStopped(stopAll(signal, 0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => onSignal(signal));

  const crashed = (name, { code, signal }) => {
    if (stopping) return;
    log(`${name} exited unexpectedly (code ${code}, signal ${signal})`);
    resolveStopped(stopAll(`${name} died`, 1));
  };

  try {
    // allSettled: when one fails, the other is still recorded in `running` and gets stopped.
    const started = await Promise.allSettled([
      startPostgres(config, localInfra, pids).then((p) => (running.postgres = p)),
      startKafka(config, localInfra, pids).then((k) => (running.kafka = k)),
    ]);
    if (stopping) {
      // A signal came while they started: stopAll ran before they existed.
      const code = await stopping;
      await Promise.allSettled([running.kafka?.stop(), running.postgres?.stop()]);
      return code;
    }
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const { postgres, kafka } = running;
    void postgres.exited?.then((exit) => crashed('PostgreSQL', exit));
    void kafka.exited?.then((exit) => crashed('the Kafka broker', exit));
    const partitions = config.topicPartitions;
    const topics = await ensureTopics(require, kafka.brokers, PROVISIONED_TOPICS, partitions).catch(
      (error) => {
        log(`could not create the topics (${error.message}); services may create them`);
        return { created: [], differing: [] };
      },
    );
    const each = `${partitions} partition${partitions === 1 ? '' : 's'} each`;
    if (topics.created.length > 0) log(`created topics ${topics.created.join(', ')} (${each})`);
    if (topics.differing.length > 0) {
      log(
        `existing topics keep their partition counts (${topics.differing.join(', ')}); ` +
          `FULFIL_TOPIC_PARTITIONS=${partitions} applies to topics created from now on`,
      );
    }

    const { authTokens } = loadLocalTokens(
      config.tokensFile,
      localScopes(config, SERVICE_CATALOG, require),
    );
    log(`local API tokens (caller local-dev) are in ${config.tokensFile}`);
    const environment = {
      root: config.root,
      databaseUrl: (name) => localInfra.databaseUrl(postgres.serverUrl, name),
      kafkaBrokers: kafka.brokers,
      authTokens,
      logLevel: config.logLevel,
      nodeArgs: config.serviceNodeArgs,
    };
    for (const entry of runnable) {
      if (stopping) break;
      const service = spawnService(entry, environment);
      running.services.push(service);
      pids.add(service.name, service.child.pid);
      void service.exited.then((exit) => crashed(service.name, exit));
    }
    if (stopping) return await stopping;

    const notReady = await waitUntilReady(running.services, config.readyTimeoutMs, stopped);
    if (stopping) return await stopping;
    if (notReady.length > 0) {
      log(
        `not ready after ${config.readyTimeoutMs / 1000} s (GET /health/ready ≠ 200): ${notReady.join(', ')}`,
      );
      return await stopAll('start-up failed', 1);
    }
    process.stdout.write(`${summary(running.services, postgres, kafka, config.tokensFile)}\n`);
    log(running.services.length > 0 ? 'all services ready' : 'infrastructure ready');
    return await stopped;
  } catch (error) {
    log(`start-up failed: ${error.message}`);
    return await stopAll('start-up failed', 1);
  }
}
