/**
 * A service process that claims one idempotency key and dies before answering, for tests that
 * SIGKILL it (`claim-owner.int-spec.ts`). Run with `node --import tsx`:
 *
 *   claiming-process.fixture.ts <database url> <key> <lock timeout ms>
 *
 * Prints `claimed` once it holds the key, then waits to be killed.
 */
import { Pool } from 'pg';
import { idempotencyStoreOn } from '../testing/idempotency-keys-table.fixture';

const [databaseUrl, key, lockTimeoutMs] = process.argv.slice(2);
if (!databaseUrl || !key || !lockTimeoutMs) {
  console.error('usage: claiming-process.fixture.ts <database url> <key> <lock timeout ms>');
  process.exit(2);
}

const pool = new Pool({ connectionString: databaseUrl, max: 1 });
const store = idempotencyStoreOn(pool);
void (async () => {
  const scope = { caller: 'storefront', method: 'POST', route: '/orders', key };
  const claim = await store.claim(scope, 'fingerprint', Number(lockTimeoutMs), 86_400_000);
  console.log(claim ? 'claimed' : 'not claimed');
  setInterval(() => undefined, 60_000); // until killed
})();
