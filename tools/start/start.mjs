#!/usr/bin/env node
// `npm start`: the whole platform on this machine, from a fresh clone with only Node and npm.
//
//   1. npm ci when node_modules is missing or older than package-lock.json
//   2. the build (tools/build/build.mjs → dist/)
//   3. PostgreSQL (POSTGRES_URL, else embedded in <data>/postgres) and Kafka (KAFKA_BROKERS,
//      else the development broker in <data>/kafka)
//   4. every built service, then wait for /health/ready, print the addresses
//   5. Ctrl-C / SIGTERM stop services, broker and PostgreSQL, in that order
//
// Settings: see readStartConfig in config.mjs and libs/local-infra/README.md. This file and
// the steps before the build use Node built-ins only: node_modules may not exist yet.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBuild } from './build-step.mjs';
import { StartConfigError, readStartConfig } from './config.mjs';
import { ensureDependencies } from './dependencies.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function main() {
  let config;
  try {
    config = readStartConfig(ROOT);
  } catch (error) {
    if (!(error instanceof StartConfigError)) throw error;
    console.error(`start: ${error.message}`);
    return 2;
  }
  ensureDependencies(ROOT, { skip: config.skipInstall });
  runBuild(ROOT);
  // Only now does dist/ hold the compiled libraries platform.mjs loads.
  const { runPlatform } = await import('./platform.mjs');
  return runPlatform(config);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`start: ${error.stack ?? error}`);
    process.exit(1);
  },
);
