// One service under an `npm start` of its own, on another stack's PostgreSQL and broker: a
// second instance of a service the stack runs too (same database, same consumer groups), or the
// only one, which a crash test can SIGKILL alone — no shutdown hook runs — and start again on the
// same ports while the rest of the platform keeps running.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceName } from '@fulfil/contracts';
import { startLocalStack, type LocalStack } from './local-stack';

export class LoneService {
  private constructor(
    readonly name: ServiceName,
    private current: LocalStack,
    private readonly startOn: (offset?: number) => Promise<LocalStack>,
    private readonly dataDir: string,
  ) {}

  /**
   * Starts `name` on `platform`'s PostgreSQL and broker, with the platform's API token (one
   * caller for all) and Kafka's shortest session: a restarted consumer gets the dead member's
   * partitions 6 s after the crash instead of 30. `env` goes to the service too. Start lone
   * services one after the other: each takes the first free port offset.
   */
  static async start(
    platform: LocalStack,
    name: ServiceName,
    env: NodeJS.ProcessEnv = {},
  ): Promise<LoneService> {
    const dataDir = mkdtempSync(join(tmpdir(), `fulfil-${name}-`));
    copyFileSync(join(platform.dataDir, 'local-tokens.json'), join(dataDir, 'local-tokens.json'));
    const startOn = async (offset?: number) => {
      const stack = await startLocalStack({
        services: [name],
        dataDir,
        offset,
        pidsFile: true,
        env: {
          POSTGRES_URL: platform.postgresUrl,
          KAFKA_BROKERS: platform.kafkaBrokers.join(','),
          KAFKA_SESSION_TIMEOUT_MS: '6000',
          ...env,
        },
      });
      await stack.ready().catch(async (error: unknown) => {
        await stack.stop();
        throw error;
      });
      return stack;
    };
    return new LoneService(name, await startOn(), startOn, dataDir);
  }

  /** The service's base URL; the same after a restart. */
  get url(): string {
    return this.current.urls[this.name]!;
  }

  /** `platform` as its clients see it: with this service's URL in place of its own. */
  on(platform: LocalStack): LocalStack {
    return { ...platform, urls: { ...platform.urls, [this.name]: this.url } };
  }

  /** What the running `npm start` printed so far. */
  output(): string {
    return this.current.output();
  }

  /** The last lines the running `npm start` printed, for error messages. */
  tail(lines?: number): string {
    return this.current.tail(lines);
  }

  /**
   * SIGKILL of the service process itself (its `npm start` then stops, as a service died), then
   * a new `npm start` of it on the same ports, ready.
   */
  async crashAndRestart(): Promise<void> {
    const service = this.current.pids().processes.find((p) => p.name === this.name)!;
    process.kill(service.pid, 'SIGKILL');
    await this.current.exited;
    this.current = await this.startOn(this.current.offset);
  }

  async stop(): Promise<void> {
    await this.current.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
