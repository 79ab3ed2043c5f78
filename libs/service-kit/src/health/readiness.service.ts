import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { KAFKA_ADMIN } from '../app/kit.tokens';

/** Outcome of each readiness check. */
export type ReadinessReport = Readonly<Record<'database' | 'kafka', 'up' | 'down'>>;

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  work.catch(() => undefined); // a late rejection after the timeout is not unhandled
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

type CheckName = keyof ReadinessReport;

/**
 * Checks that PostgreSQL answers `SELECT 1` and that Kafka describes its cluster. A check that
 * goes down is logged once with its error (a warning), and once when it is up again — not on
 * every probe.
 */
@Injectable()
export class ReadinessService {
  private readonly logger = new Logger('Readiness');
  private adminConnection: Promise<void> | undefined;
  private readonly lastStates = new Map<CheckName, 'up' | 'down'>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
  ) {}

  async check(): Promise<ReadinessReport> {
    const [database, kafka] = await Promise.all([
      this.probe('database', () => this.dataSource.query('SELECT 1')),
      this.probe('kafka', () => this.describeCluster()),
    ]);
    return { database, kafka };
  }

  private async describeCluster(): Promise<void> {
    this.adminConnection ??= this.admin.connect().catch((error: unknown) => {
      this.adminConnection = undefined;
      throw error;
    });
    await this.adminConnection;
    await this.admin.describeCluster();
  }

  private async probe(name: CheckName, check: () => Promise<unknown>): Promise<'up' | 'down'> {
    try {
      await withTimeout(check(), CHECK_TIMEOUT_MS);
      if (this.lastStates.get(name) === 'down') this.logger.log(`${name} is up again`);
      this.lastStates.set(name, 'up');
      return 'up';
    } catch (error) {
      if (this.lastStates.get(name) !== 'down') {
        this.logger.warn({ msg: `Not ready: ${name} is down`, err: error });
      }
      this.lastStates.set(name, 'down');
      return 'down';
    }
  }
}
