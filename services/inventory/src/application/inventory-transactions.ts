import { Inject, Injectable } from '@nestjs/common';
import { withTransaction, WrongExpectedVersionError } from '@fulfil/event-store';
import { PG_POOL } from '@fulfil/messaging';
import type { Pool, PoolClient } from 'pg';

const MAX_ATTEMPTS = 5;

/**
 * Runs inventory work in a transaction of its own (HTTP commands, tests), retrying it whole
 * when the event store reports a conflict: with the stock locks held conflicts are rare, and a
 * transaction-order conflict can only be cured by a new transaction.
 */
@Injectable()
export class InventoryTransactions {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async run<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await withTransaction(this.pool, work);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }
}
