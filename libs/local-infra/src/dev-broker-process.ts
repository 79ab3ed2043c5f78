import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnUntilReady, stopChild } from './child-process';

const READY_LINE = /Kafka development broker ready on (\S+):(\d+)/;

/** Options of {@link startDevBrokerProcess}. */
export interface DevBrokerProcessOptions {
  /** TCP port; 0 lets the broker pick one (read it back from `address`). */
  readonly port: number;
  readonly dataDir: string;
  /** Bind address. Default 127.0.0.1. */
  readonly host?: string;
  /** Every line the broker logs (stdout and stderr). Default: ignored. */
  readonly onLog?: (line: string) => void;
  readonly readyTimeoutMs?: number;
  /**
   * Own process group (`npm start`): a terminal's Ctrl-C then reaches only the parent, which
   * stops things in order. Default false.
   */
  readonly detached?: boolean;
}

/** The development broker running in its own process. */
export interface DevBrokerProcess {
  readonly pid: number;
  /** `host:port`, ready for a kafkajs `brokers` list. */
  readonly address: string;
  /** Resolves with the exit code when the broker exits (for unexpected deaths). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, wait for a clean stop (SIGKILL after 10 s); idempotent. */
  stop(): Promise<void>;
}

/**
 * Where the broker's command line lives: compiled (`dist/libs/dev-broker/src/cli.js`, run
 * by plain Node) when this file is compiled, the TypeScript source (run through tsx) otherwise.
 */
export function devBrokerCommand(): { args: string[]; cwd: string } {
  const compiled = resolve(__dirname, '../../dev-broker/src/cli.js');
  if (__filename.endsWith('.js') && existsSync(compiled)) {
    return { args: [compiled], cwd: process.cwd() };
  }
  const repoRoot = resolve(__dirname, '../../..');
  return {
    args: ['--import', 'tsx', resolve(repoRoot, 'libs/dev-broker/src/cli.ts')],
    cwd: repoRoot,
  };
}

/**
 * Starts the Kafka development broker (`@fulfil/dev-broker`'s command line) as a child process
 * and resolves once it prints its ready line. Use it where the broker must not share the
 * caller's event loop (`npm start`); tests may as well call `startBroker` in-process.
 */
export async function startDevBrokerProcess(
  options: DevBrokerProcessOptions,
): Promise<DevBrokerProcess> {
  const { args, cwd } = devBrokerCommand();
  args.push('--port', `${options.port}`, '--data-dir', resolve(options.dataDir));
  args.push('--host', options.host ?? '127.0.0.1');
  const started = await spawnUntilReady({
    command: process.execPath,
    args,
    cwd,
    readyLine: READY_LINE,
    label: `Kafka development broker on port ${options.port}`,
    detached: options.detached,
    timeoutMs: options.readyTimeoutMs ?? 30_000,
    onStdoutLine: options.onLog,
    onStderrLine: options.onLog,
  });
  let stopped: Promise<void> | undefined;
  return {
    pid: started.child.pid ?? -1,
    address: `${started.ready[1]}:${started.ready[2]}`,
    exited: started.exited,
    stop: () =>
      (stopped ??= stopChild(started.child, started.exited).then(({ code, signal }) => {
        if (code !== 0 && signal !== 'SIGTERM') {
          throw new Error(`development broker stopped with code ${code}, signal ${signal}`);
        }
      })),
  };
}
