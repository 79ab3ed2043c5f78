// The SIMULATED payment provider in a process of its own, as a real provider is outside the
// platform: it keeps its payments and retries its webhooks while a payments instance is away,
// serves every payments instance of a test, and the bench counts its CPU (taking intents,
// paying them, signing and sending webhooks) apart from the platform's.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { spawnUntilReady, stopChild } from '@fulfil/local-infra';
import { REPO_ROOT } from './local-stack';

/**
 * The simulator's settings (its own, or the one embedded in payments) for a customer who pays
 * every intent the moment it exists: tests and the bench measure the platform, not a shopper.
 */
export const PAY_AT_ONCE = {
  PAYMENT_SIMULATOR_AUTO_PAY: 'succeeded',
  PAYMENT_SIMULATOR_AUTO_PAY_DELAY_MS: '0',
} as const;

export interface SimulatorProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the built simulator (`dist/…/simulator/main.js`, as `npm start` runs the built
 * services) on a free port; `env` adds its variables (`PAYMENT_SIMULATOR_AUTO_PAY` …). Builds
 * first, as `npm start` does: a test may start the simulator before any stack, on a fresh
 * clone with no dist/ yet (the incremental build writes each file atomically, so a build
 * running beside it in another test does no harm).
 */
export async function startSimulatorProcess(env: NodeJS.ProcessEnv): Promise<SimulatorProcess> {
  const build = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/build/build.mjs')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    throw new Error(`the build failed (exit ${build.status ?? build.signal}):\n${build.stderr}`);
  }
  const started = await spawnUntilReady({
    command: process.execPath,
    args: [join(REPO_ROOT, 'dist/services/payments/src/simulator/main.js')],
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PAYMENT_SIMULATOR_PORT: '0' },
    readyLine: /listening on (http:\/\/\S+)/,
    label: 'payment simulator',
    timeoutMs: 15_000,
  });
  return {
    url: started.ready[1]!,
    pid: started.child.pid!,
    stop: async () => {
      await stopChild(started.child, started.exited);
    },
  };
}
