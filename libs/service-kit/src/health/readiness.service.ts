import { Inject, Injectable } from '@nestjs/common';
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

/** Checks that PostgreSQL answers `SELECT 1` and that Kafka describes its cluster. */
@Injectable()
export class ReadinessService {
  private adminConnection: Promise<void> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
  ) {}

  async check(): Promise<ReadinessReport> {
    const [database, kafka] = await Promise.all([
      this.probe(() => this.dataSource.query('SELECT 1')),
      this.probe(() => this.describeCluster()),
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

  private async probe(check: () => Promise<unknown>): Promise<'up' | 'down'> {
    try {
      await withTimeout(check(), CHECK_TIMEOUT_MS);
      return 'up';
    } catch {
      return 'down';
    }
  }
}
